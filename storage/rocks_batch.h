// The Batch of the RocksDB store. Internal to storage/.
//
// Operations are staged in one flat buffer and turned into a rocksdb::WriteBatch
// at commit, sorted by (column family, key). Inserting keys in order is what
// makes memtable inserts cheap: the skiplist resumes from the previous insert
// instead of descending from the top, which matters for the random-looking keys
// of posts and post details. The sort is stable on equal keys, so a put followed
// by merges of the same key keeps its meaning; runs of merges into one bucket
// row are folded into one write.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <rocksdb/write_batch.h>

#include "storage/codec.h"
#include "storage/rocks_util.h"
#include "storage/state_store.h"

namespace kilter::storage {

class RocksBatch final : public Batch {
 public:
  RocksBatch(const void* owner, const Handles& cf) : owner_(owner), cf_(cf) {}

  void merge_bucket(Partition p, std::string_view account, TimePoint bucket,
                    const BucketCounts& delta) override;
  void put_post(Partition p, std::string_view post_id, const PostRef& ref) override;
  void put_post_detail(Partition p, std::string_view account, TimePoint ts,
                       std::string_view post_id, const PostDetail& d) override;
  void add_post_engagement(Partition p, std::string_view account, TimePoint ts,
                           std::string_view post_id, std::uint64_t delta) override;
  void put_seen_ids(Partition p, Offset position, std::span<const SeenId> ids) override;
  void put_alert_state(Partition p, std::string_view account, std::string_view rule,
                       const AlertState& s) override;
  void put_outbox(Partition p, std::uint64_t seq, std::string_view record,
                  std::span<const std::string> sinks) override;
  void delete_outbox(Partition p, std::uint64_t seq) override;
  void put_meta(Partition p, const PartitionMeta& m) override;
  std::size_t approximate_bytes() const override;
  bool empty() const override { return ops_.empty(); }
  void absorb(Batch& later) override;

  const void* owner() const { return owner_; }
  // The staged operations as one WriteBatch, in key order. Valid until the next
  // change to this batch (built once: a second call returns it as it is).
  rocksdb::WriteBatch& build();
  // The built WriteBatch was changed outside build(): the next build() redoes it.
  void invalidate() { built_ = false; }
  void clear();

  // Changelog (rocks_changelog.cpp). Stages the retention cutoffs of a
  // partition, taken from the store when the batch is exported.
  void put_cutoffs(Partition p, const codec::Cutoffs& c);
  // Once exported, the batch writes the cutoffs it holds and no others.
  bool exported() const { return exported_; }
  // Builds the batch and calls fn with one portable delta body per partition.
  void deltas(const std::function<void(Partition, std::string_view)>& fn);

 private:
  enum class Kind : std::uint8_t { put, merge, del };
  struct Op {
    std::size_t at;  // key in buf_, the value right after it
    std::uint32_t key_len;
    std::uint32_t val_len;
    std::uint8_t cf;
    Kind kind;
  };

  // An operation is staged as key_ copied into buf_ (begin_op), the value encoded
  // right after it, then stage() recording where both are.
  std::size_t begin_op();
  void stage(Cf cf, Kind kind, std::size_t at);

  const void* owner_;
  Handles cf_;
  std::string key_;  // reused by every call: no allocation once warm
  std::string buf_;  // staged keys and values, in call order
  std::vector<Op> ops_;
  struct SortKey {
    std::uint64_t head;  // column family, then the key's first 7 bytes
    std::uint64_t next;  // the key's next 8 bytes
    std::uint32_t op;
  };
  std::vector<SortKey> sorted_;  // the operations in key order
  std::string folded_;
  codec::Row row_, delta_row_;  // folding bucket rows
  rocksdb::WriteBatch wb_;
  bool built_ = false;
  bool exported_ = false;
  // Per-partition delta bodies, reused from one export to the next (those over
  // 64 KiB are freed once read).
  struct Body {
    Partition p;
    std::string bytes;
    std::uint32_t count = 0;
  };
  std::vector<Body> bodies_;
};

}  // namespace kilter::storage

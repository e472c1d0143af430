// The StateStore over RocksDB: its reads (rocks_reads.cpp) and its writes,
// retention and admin operations (rocks_store.cpp). Opened by rocks_open.cpp.
// Internal to storage/; layout and invariants: storage/README.md.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/codec.h"
#include "storage/rocks_options.h"
#include "storage/rocks_util.h"

namespace kilter::storage {

class RocksStore final : public StateStore {
 public:
  RocksStore(std::unique_ptr<rocksdb::DB> db, const Handles& cf,
             std::shared_ptr<RetentionTable> retention, std::string instance, StoreExtras extras)
      : env_(std::move(extras.env)),
        events_(std::move(extras.events)),
        db_(std::move(db)),
        cf_(cf),
        retention_(std::move(retention)),
        instance_(std::move(instance)) {}

  ~RocksStore() override;

  // Writes, retention and admin (rocks_store.cpp).
  std::unique_ptr<Batch> new_batch() override;
  Result<void> commit(Batch& batch, bool sync) override;
  Result<void> expire(Partition p, TimePoint cutoff, TimePoint seen_cutoff) override;
  Result<void> drop_partition(Partition p) override;
  StoreStats stats() const override;
  Result<std::uint32_t> source_id(std::string_view name) override;
  Result<void> compact();
  Result<std::uint64_t> count_raw(std::string_view family, Partition p);
  std::optional<Error> failure() const override { return gate_.failure(); }
  const std::string& instance_id() const override { return instance_; }

  // Reads (rocks_reads.cpp).
  std::vector<Partition> partitions() override;
  std::optional<PartitionMeta> meta(Partition p) override;
  std::optional<PostRef> find_post(Partition p, std::string_view post_id) override;
  void scan_seen_ids(Partition p, TimePoint from,
                     const std::function<void(const SeenId&)>& fn) override;
  void scan_buckets(
      Partition p, TimePoint from,
      const std::function<void(std::string_view, TimePoint, const BucketCounts&)>& fn) override;
  void scan_account_buckets(Partition p, std::string_view account, TimePoint from,
                            const std::function<void(TimePoint, const BucketCounts&)>& fn) override;
  std::shared_ptr<const Snapshot> snapshot() override;
  void scan_post_details(
      Partition p, std::string_view account, TimePoint from, TimePoint to,
      const std::function<void(TimePoint, std::string_view, const PostDetail&)>& fn,
      const Snapshot* at) override;
  void scan_alert_states(Partition p, const std::function<void(std::string_view, std::string_view,
                                                               const AlertState&)>& fn) override;
  void scan_outbox(Partition p,
                   const std::function<void(std::uint64_t, std::string_view,
                                            const std::vector<std::string>&, bool)>& fn) override;
  std::vector<Partition> outbox_partitions() override;

  // Portable state (rocks_changelog.cpp).
  Result<void> partition_deltas(
      Batch& batch, const std::function<void(Partition, std::string_view)>& fn) override;
  Result<void> apply_deltas(Partition p, std::span<const std::string_view> bodies,
                            const std::optional<ChainHead>& head, bool sync) override;
  Result<PortableStats> export_partition(Partition p, std::size_t max_chunk_bytes,
                                         const std::function<Result<void>(std::string_view)>& fn,
                                         const Snapshot* at) override;
  Result<std::unique_ptr<PartitionImport>> begin_import(Partition p) override;

 private:
  friend class RocksImport;
  std::map<std::int32_t, codec::Cutoffs> take_cutoffs();
  // Drops pending cutoffs of p and sets the table's (state loaded from elsewhere).
  void adopt_cutoffs(Partition p, const std::optional<codec::Cutoffs>& c);
  // The stored meta's epoch counter (0: none).
  std::uint64_t stored_epoch(Partition p);
  // Puts back cutoffs a failed write did not persist (unless newer ones came).
  void restore_cutoffs(const std::map<std::int32_t, codec::Cutoffs>& cs);
  void put_cutoffs(rocksdb::WriteBatch& wb, const std::map<std::int32_t, codec::Cutoffs>& cs);
  Result<void> write_cutoffs();
  // Point lookup of tl_key; true when found.
  bool get(Cf cf, rocksdb::PinnableSlice& v);

  std::unique_ptr<rocksdb::Env> env_;  // the fault-injecting one of tests; outlives db_
  std::shared_ptr<StoreEvents> events_;
  std::unique_ptr<rocksdb::DB> db_;
  Handles cf_;
  std::shared_ptr<RetentionTable> retention_;
  std::mutex admin_mu_;  // expire, drop, source ids: keeps memory and disk in step
  std::mutex cutoffs_mu_;
  std::map<std::int32_t, codec::Cutoffs> cutoffs_;  // moved, not yet written
  std::string instance_;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> committed_bytes_{0};
  WriteGate gate_;
};

}  // namespace kilter::storage

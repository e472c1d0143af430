// The state store seam. All durable state is keyed by input partition, so a
// partition's state can be dropped, restored or moved on its own. Writes happen
// only through a Batch, committed atomically: window deltas, post records, seen
// ids, alert states, outbox entries and the partition position land together or
// not at all.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/records.h"
#include "storage/write_faults.h"

namespace kilter::storage {

class Batch {
 public:
  virtual ~Batch() = default;
  // Adds a delta to (partition, account, bucket); never needs a read.
  virtual void merge_bucket(Partition p, std::string_view account, TimePoint bucket,
                            const BucketCounts& delta) = 0;
  virtual void put_post(Partition p, std::string_view post_id, const PostRef& ref) = 0;
  // The post's category, confidence, matched terms and link, kept with the
  // account's buckets of that day (no write of its own); `d.engagement` is not
  // stored: a post's engagement is what add_post_engagement adds.
  virtual void put_post_detail(Partition p, std::string_view account, TimePoint ts,
                               std::string_view post_id, const PostDetail& d) = 0;
  // Engagement a post of `account` earned at `ts`: kept with the account's
  // buckets of that day (no write of its own), and added to the post's
  // PostDetail::engagement by scan_post_details.
  virtual void add_post_engagement(Partition p, std::string_view account, TimePoint ts,
                                   std::string_view post_id, std::uint64_t delta) = 0;
  // The ids first counted in this batch, as one block (stored under its newest
  // time and the partition position the batch reaches).
  virtual void put_seen_ids(Partition p, Offset position, std::span<const SeenId> ids) = 0;
  virtual void put_alert_state(Partition p, std::string_view account, std::string_view rule,
                               const AlertState& s) = 0;
  // An alert record owed to the named sinks; put again with fewer sinks as they
  // confirm, deleted when none is left.
  virtual void put_outbox(Partition p, std::uint64_t seq, std::string_view record,
                          std::span<const std::string> sinks) = 0;
  virtual void delete_outbox(Partition p, std::uint64_t seq) = 0;
  virtual void put_meta(Partition p, const PartitionMeta& m) = 0;
  virtual std::size_t approximate_bytes() const = 0;
  virtual bool empty() const = 0;
  // Adds the operations of `later` (a batch of the same store) after this
  // batch's, as if they had been made on it, and empties `later`: a batch sent
  // to the changelog but not committed joins the one built since.
  virtual void absorb(Batch& later) = 0;
};

// A consistent view of the store as of when it was taken: later commits are not
// seen through it. Released when the last reference goes.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
};

// Portable state (issue 13, state follows partitions; storage/README.md,
// "Portable bodies"): bodies carry a partition's keys without their partition
// prefix, so they apply to any partition number of any store.
struct PortableStats {
  std::uint64_t rows = 0;    // key/values (chunks) or operations (deltas)
  std::uint64_t bytes = 0;   // body bytes
  std::uint64_t chunks = 0;  // bodies
};

// Loads a snapshot of a partition, chunk by chunk (StateStore::begin_import).
// Rows go into table files, one per column family, that finish() ingests
// (no memtable, no WAL); only then does it write the partition's meta (with
// the WAL, synced). A partition with keys but no meta is therefore an import
// that did not finish (a crash between two ingestions): nothing reads it as
// state (no meta: no partition), and the next begin_import drops it. An import
// destroyed without finish() writes nothing (its table files are removed).
// After a failed add() (Errc::corruption: not what export_partition wrote) the
// import takes nothing more: begin again.
class PartitionImport {
 public:
  virtual ~PartitionImport() = default;
  // A chunk body from export_partition, in order. A malformed chunk is
  // Errc::corruption and writes nothing of it.
  virtual Result<void> add(std::string_view chunk) = 0;
  // Writes what is left, makes it durable, then writes the meta, its chain set
  // to `head` when given (see apply_deltas).
  virtual Result<PortableStats> finish(const std::optional<ChainHead>& head) = 0;
};

struct StoreStats {
  std::uint64_t commits = 0;
  std::uint64_t committed_bytes = 0;
  std::uint64_t sst_bytes = 0;                 // table files on disk, every column family
  std::uint64_t memtable_bytes = 0;            // in memory, not flushed yet
  std::uint64_t pending_compaction_bytes = 0;  // RocksDB's estimate of compaction owed
  std::uint64_t running_compactions = 0;
  bool write_stopped = false;            // writes stalled until compaction catches up
  std::uint64_t delayed_write_rate = 0;  // bytes/s while writes are slowed; 0: not slowed
  std::uint64_t write_failures = 0;      // writes refused (the first failure, then every later try)
  std::uint64_t background_errors = 0;   // flush/compaction errors RocksDB reported
  bool failed = false;                   // a write failed: the store takes no more (restart)
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  virtual std::unique_ptr<Batch> new_batch() = 0;
  // Atomic: all of the batch or nothing. sync=true also fsyncs the WAL (an empty
  // batch with sync=true only syncs what earlier commits wrote). On success the
  // batch is left empty and may be reused; on failure it is left as it was.
  // Fail-stop: after a failed write (a full disk, an unwritable or failing
  // device) every later write fails with that first error, without touching the
  // disk again; reads still work. Only a reopen (a restart) clears it: what was
  // committed before the failure is all there, the failed batch is not.
  virtual Result<void> commit(Batch& batch, bool sync) = 0;
  // The first failed write's error, once one failed.
  virtual std::optional<Error> failure() const = 0;

  virtual std::vector<Partition> partitions() = 0;  // partitions with stored meta
  virtual std::optional<PartitionMeta> meta(Partition p) = 0;
  virtual std::optional<PostRef> find_post(Partition p, std::string_view post_id) = 0;
  // Every stored seen id with ts >= from (a block is read whole when its newest
  // id is recent enough, so older ids of it come too: callers filter).
  virtual void scan_seen_ids(Partition p, TimePoint from,
                             const std::function<void(const SeenId&)>& fn) = 0;

  // Every stored bucket of the partition at or after `from`, grouped by account
  // (accounts in key order, buckets ascending).
  virtual void scan_buckets(Partition p, TimePoint from,
                            const std::function<void(std::string_view account, TimePoint bucket,
                                                     const BucketCounts&)>& fn) = 0;
  // The stored buckets of one account at or after `from`, ascending.
  virtual void scan_account_buckets(
      Partition p, std::string_view account, TimePoint from,
      const std::function<void(TimePoint bucket, const BucketCounts&)>& fn) = 0;
  // Post details of one account with from <= ts < to, ascending by time; as of
  // `at` when given.
  virtual void scan_post_details(
      Partition p, std::string_view account, TimePoint from, TimePoint to,
      const std::function<void(TimePoint ts, std::string_view post_id, const PostDetail&)>& fn,
      const Snapshot* at = nullptr) = 0;
  // The store as it is now, for reads that must not see the commits to come.
  virtual std::shared_ptr<const Snapshot> snapshot() = 0;
  virtual void scan_alert_states(
      Partition p,
      const std::function<void(std::string_view account, std::string_view rule, const AlertState&)>&
          fn) = 0;
  // Outbox entries of a partition, ascending by seq, with the sinks still owed
  // (`all_sinks`: an entry written before sinks were recorded, owed to every sink).
  virtual void scan_outbox(
      Partition p,
      const std::function<void(std::uint64_t seq, std::string_view record,
                               const std::vector<std::string>& sinks, bool all_sinks)>& fn) = 0;

  // Every partition that has outbox entries (whether or not it has meta).
  virtual std::vector<Partition> outbox_partitions() = 0;

  // Retention: buckets, posts and post details older than `cutoff`, and seen ids
  // older than `seen_cutoff`, are no longer returned (at once) and are reclaimed
  // over time. The cutoffs are persisted with the next commit, or on close.
  virtual Result<void> expire(Partition p, TimePoint cutoff, TimePoint seen_cutoff) = 0;
  // Removes every key of a partition (used when a partition's state is dropped).
  virtual Result<void> drop_partition(Partition p) = 0;

  virtual StoreStats stats() const = 0;

  // ---- Portable state (changelog). Stores without it answer Errc::failed.

  // The batch's operations as one portable delta body per partition it writes,
  // in the order its commit applies them (merges into one row folded), the
  // retention cutoffs moved since the last commit included: they are taken into
  // the batch, which then writes them (and no cutoffs taken later). Bodies are
  // valid during the callback; partitions come in ascending order. Call again
  // after changing the batch: the bodies then cover the whole batch.
  virtual Result<void> partition_deltas(
      Batch& batch, const std::function<void(Partition, std::string_view body)>& fn) {
    (void)batch, (void)fn;
    return Error{"partition_deltas: not supported by this store"};
  }
  // Applies delta bodies (of any store and partition number) to partition p,
  // in order, in one atomic write. Malformed bytes: Errc::corruption, nothing
  // written. The meta written is the last one the bodies carry (or the stored
  // one when they carry none), with its chain set to `head` when given, and its
  // epoch counter never lower than the stored one.
  virtual Result<void> apply_deltas(Partition p, std::span<const std::string_view> bodies,
                                    const std::optional<ChainHead>& head, bool sync) {
    (void)p, (void)bodies, (void)head, (void)sync;
    return Error{"apply_deltas: not supported by this store"};
  }
  // The partition's state as snapshot chunk bodies of at most max_chunk_bytes
  // each (a single larger key/value gets a chunk of its own), every column
  // family, keys in order, merged values as plain puts, the meta last; as of
  // `at` when given, else as of now. At least one chunk (an empty partition
  // gives one empty chunk). Stops at fn's first error and returns it.
  virtual Result<PortableStats> export_partition(
      Partition p, std::size_t max_chunk_bytes,
      const std::function<Result<void>(std::string_view chunk)>& fn, const Snapshot* at = nullptr) {
    (void)p, (void)max_chunk_bytes, (void)fn, (void)at;
    return Error{"export_partition: not supported by this store"};
  }
  // Drops the partition's keys (what an earlier, unfinished import left too),
  // then returns the import that loads chunks into it.
  virtual Result<std::unique_ptr<PartitionImport>> begin_import(Partition p) {
    (void)p;
    return Error{"begin_import: not supported by this store"};
  }

  // A random id made when the state directory was created: tells this store's
  // writes (e.g. Kafka offset commits) from those of another daemon.
  virtual const std::string& instance_id() const = 0;
  // A small number naming an input source (a Kafka topic) for good: allocated on
  // first use (from 1, written at once) and the same on every later call.
  virtual Result<std::uint32_t> source_id(std::string_view name) = 0;
};

inline constexpr std::size_t kDefaultChunkBytes = 256 << 10;

struct RocksOptions {
  std::string path;
  std::size_t block_cache_bytes = 32 << 20;
  std::size_t memtable_bytes = 64 << 20;  // every column family's write buffers together
  // Opening fails, touching nothing, when the file system holding `path` has
  // less free space than this (0: no check).
  std::uint64_t min_free_bytes = 0;
  // Tests only: file writes fail when this says so (storage/write_faults.h).
  std::shared_ptr<WriteFaults> faults = nullptr;
};

// Opens (creating when missing) the RocksDB store. The only exception-free way in.
Result<std::unique_ptr<StateStore>> open_rocks_store(const RocksOptions& opts);

}  // namespace kilter::storage

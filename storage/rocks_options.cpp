#include "storage/rocks_options.h"

#include <algorithm>

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

namespace kilter::storage {
namespace {

constexpr std::size_t kMiB = 1 << 20;
// Old data must pass through the retention filter even when nothing else makes
// RocksDB rewrite its files: every file is recompacted at least this often.
constexpr std::uint64_t kRetentionRecompactSeconds = 24 * 3600;

bool supported(rocksdb::CompressionType t) {
  static const auto all = rocksdb::GetSupportedCompressions();
  return std::find(all.begin(), all.end(), t) != all.end();
}

// The column family read by point lookups on the event path (find_post, when
// an engagement's post is not in the engine's cache): whole-key bloom filters
// in the tables and the memtable, so that the negative answer of an unknown
// post costs no data-block read.
bool point_lookups(Cf cf) {
  return cf == kPostsCf;
}

}  // namespace

rocksdb::DBOptions db_options(std::size_t memtable_bytes) {
  rocksdb::DBOptions o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_background_jobs = 2;
  o.bytes_per_sync = kMiB;
  o.wal_bytes_per_sync = kMiB;
  // Rarely written families (meta is written every commit, retention hourly) pin
  // old WAL files until flushed; this bounds the WAL and forces those flushes.
  o.max_total_wal_size = 4 * memtable_bytes;
  // Total memtable budget across families (the memory bound): the largest is
  // flushed beyond it.
  o.db_write_buffer_size = memtable_bytes;
  // Opening replays the WAL into the memtables without writing tables: on a full
  // disk, a start that flushed them failed halfway and left the finished tables
  // behind (unreferenced), one more per start of systemd's restart loop.
  o.avoid_flush_during_recovery = true;
  o.keep_log_file_num = 4;
  o.max_log_file_size = 16 * kMiB;
  return o;
}

rocksdb::ColumnFamilyOptions cf_options(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache,
                                        const std::shared_ptr<const RetentionTable>& retention) {
  rocksdb::ColumnFamilyOptions o;
  o.level_compaction_dynamic_level_bytes = true;
  // Small memtables: an insert searches a skip list whose depth grows with it,
  // and on a 1M-event replay 4 MiB instead of 16 took ~7 % less CPU (the
  // flushes they add are sequential writes; issue 13, BENCHMARKS.md).
  o.write_buffer_size = 4 * kMiB;
  // A flush waits for two full memtables and writes them as one table: the
  // merges of a key in both are folded once, and L0 gets half as many files; up
  // to 8 of them before they are compacted into L1 (RocksDB's default is 4).
  // Fewer, larger compactions of the same bytes: a 1M-event replay took ~13 %
  // less CPU, 5.05 s against 5.81 s on average (BENCHMARKS.md, stop 25). Reads
  // (an account's first event, an alert's evidence) look at up to 8 L0 files.
  o.min_write_buffer_number_to_merge = 2;
  o.max_write_buffer_number = 3;
  o.level0_file_num_compaction_trigger = 8;
  if (supported(rocksdb::kLZ4Compression)) {
    o.compression = rocksdb::kLZ4Compression;
  } else if (supported(rocksdb::kSnappyCompression)) {
    o.compression = rocksdb::kSnappyCompression;
  } else {
    o.compression = rocksdb::kNoCompression;
  }
  // No ZSTD at the last level: it took ~5 % of kilterd's CPU on a replay for
  // ~4 % less disk (LZ4 everywhere; issue 13, BENCHMARKS.md).

  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;  // one LRU cache shared by every family: one memory bound
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  t.format_version = 5;
  if (point_lookups(cf)) {
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.whole_key_filtering = true;
    t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
    o.memtable_prefix_bloom_size_ratio = 0.02;
    o.memtable_whole_key_filtering = true;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));

  switch (cf) {
    case kBucketsCf:
      o.merge_operator = bucket_merge_operator();
      o.compaction_filter_factory = retention_filter_factory(retention, RetainedTime::key_suffix);
      o.periodic_compaction_seconds = kRetentionRecompactSeconds;
      break;
    case kDetailsCf:
      o.merge_operator = post_detail_merge_operator();
      o.compaction_filter_factory =
          retention_filter_factory(retention, RetainedTime::key_after_account);
      o.periodic_compaction_seconds = kRetentionRecompactSeconds;
      break;
    case kPostsCf:
      o.compaction_filter_factory = retention_filter_factory(retention, RetainedTime::value);
      o.periodic_compaction_seconds = kRetentionRecompactSeconds;
      break;
    case kSeenCf:
      o.compaction_filter_factory =
          retention_filter_factory(retention, RetainedTime::after_partition);
      o.periodic_compaction_seconds = kRetentionRecompactSeconds;
      break;
    default:
      break;
  }
  return o;
}

}  // namespace kilter::storage

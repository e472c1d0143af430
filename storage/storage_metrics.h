// The state store's metrics, declared beside it (common/metrics.h): read from
// StoreStats (StateStore::stats()).
#pragma once

#include "common/metrics.h"
#include "storage/state_store.h"

// Full name, help text, the StoreStats field read.
#define KILTER_STORAGE_METRICS(COUNTER, GAUGE)                                                  \
  COUNTER(kilter_state_written_bytes_total, "Bytes of state batches written to RocksDB.",       \
          committed_bytes)                                                                      \
  GAUGE(kilter_rocksdb_sst_bytes, "Size of RocksDB's table files.", sst_bytes)                  \
  GAUGE(kilter_rocksdb_memtable_bytes, "RocksDB memtables not yet flushed.", memtable_bytes)    \
  GAUGE(kilter_rocksdb_pending_compaction_bytes, "RocksDB's estimate of compaction owed.",      \
        pending_compaction_bytes)                                                               \
  GAUGE(kilter_rocksdb_running_compactions, "RocksDB compactions running now.",                 \
        running_compactions)                                                                    \
  GAUGE(kilter_rocksdb_write_stopped, "1 while RocksDB stops writes (a stall).", write_stopped) \
  GAUGE(kilter_storage_failed,                                                                  \
        "1 once a write to the state store failed (disk full, unwritable): the daemon stops.",  \
        failed)                                                                                 \
  COUNTER(kilter_storage_write_failures_total,                                                  \
          "Writes the state store refused: the first failure, then every later attempt.",       \
          write_failures)                                                                       \
  COUNTER(kilter_rocksdb_background_errors_total,                                               \
          "Flush or compaction errors RocksDB reported (e.g. a full disk).", background_errors) \
  GAUGE(kilter_rocksdb_delayed_write_rate_bytes,                                                \
        "RocksDB's write rate while it slows writes down; 0 when it does not.",                 \
        delayed_write_rate)

namespace kilter::storage {

void write_metrics(metrics::Writer& out, const StoreStats& stats);

}  // namespace kilter::storage

// The RocksDB store's writes: commits behind the fail-stop gate, retention
// cutoffs, dropping a partition, source ids, statistics and the admin
// operations of rocks_store.h. Reads: rocks_reads.cpp.
#include "storage/rocks_store.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "storage/codec.h"
#include "storage/keys.h"
#include "storage/rocks_batch.h"
#include "storage/rocks_cursor.h"
#include "storage/rocks_hooks.h"
#include "storage/rocks_logger.h"
#include "storage/rocks_store_impl.h"

namespace kilter::storage {
namespace {

constexpr std::string_view kSourcePrefix = "source/";

std::uint32_t read_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

std::unique_ptr<Batch> RocksStore::new_batch() {
  return std::make_unique<RocksBatch>(this, cf_);
}

RocksStore::~RocksStore() {
  if (auto r = failure() ? ok() : write_cutoffs(); !r)
    std::fprintf(stderr, "kilter storage: %s (recomputed at the next evaluation)\n",
                 r.error().message.c_str());
  for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h);
  // Everything committed is already in the WAL; a failed close loses nothing.
  (void)db_->Close();
}

Result<void> RocksStore::commit(Batch& batch, bool sync) {
  auto* b = dynamic_cast<RocksBatch*>(&batch);
  if (b == nullptr || b->owner() != this) return Error{"commit: batch of another store"};
  if (auto f = gate_.refused()) return *f;
  if (b->empty()) {
    // Nothing to write, but a sync commit still makes earlier commits durable.
    if (!sync) return ok();
    if (auto r = write_cutoffs(); !r) return r;
    if (auto s = db_->SyncWAL(); !s.ok()) return gate_.failed("rocksdb sync", s);
    return ok();
  }
  auto& wb = b->build();
  // Retention cutoffs moved since the last commit ride along (an exported batch
  // already holds the ones its deltas carry, and writes no others).
  std::map<std::int32_t, codec::Cutoffs> cutoffs;
  if (!b->exported()) {
    cutoffs = take_cutoffs();
    put_cutoffs(wb, cutoffs);
    if (!cutoffs.empty()) b->invalidate();
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  const auto bytes = wb.GetDataSize();
  if (auto s = db_->Write(wo, &wb); !s.ok()) {
    restore_cutoffs(cutoffs);
    return gate_.failed("rocksdb commit", s);
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  committed_bytes_.fetch_add(bytes, std::memory_order_relaxed);
  b->clear();
  return ok();
}

Result<void> RocksStore::expire(Partition p, TimePoint cutoff, TimePoint seen_cutoff) {
  std::lock_guard lock(admin_mu_);
  const codec::Cutoffs old = retention_->get(p);
  // Cutoffs only move forward: what was reclaimed cannot come back.
  const codec::Cutoffs next{std::max(old.cutoff, cutoff), std::max(old.seen_cutoff, seen_cutoff)};
  if (next == old) return ok();
  // Reads and compactions use the new cutoffs at once; they are written with
  // the next commit (a write of their own here would queue behind the state
  // batch being written, at every evaluation). Lost in a crash, they are
  // recomputed at the next evaluation. No range deletion either: every read
  // would then re-fragment the memtable's range tombstones (RocksDB 7.8). The
  // compaction filters reclaim old keys; reads ignore them meanwhile.
  retention_->set(p, next);
  std::lock_guard pending(cutoffs_mu_);
  cutoffs_[p.value()] = next;
  return ok();
}

Result<void> RocksStore::drop_partition(Partition p) {
  std::lock_guard lock(admin_mu_);
  {
    std::lock_guard pending(cutoffs_mu_);
    cutoffs_.erase(p.value());
  }
  std::string begin;
  std::string end;
  keys::partition_key(begin, p);
  rocksdb::WriteBatch wb;
  const bool bounded = keys::prefix_end(begin, end);
  for (std::size_t i = 0; i < kCfCount; ++i) {
    if (bounded) {
      check(wb.DeleteRange(cf_[i], slice(begin), slice(end)), "batch");
      continue;
    }
    // The last partition id has no end key: delete its keys one by one.
    Cursor c(*db_, cf_[i], begin);
    for (c.seek(begin); c.valid(); c.next()) check(wb.Delete(cf_[i], slice(c.key())), "batch");
  }
  if (auto f = gate_.refused()) return *f;
  if (auto s = db_->Write(rocksdb::WriteOptions{}, &wb); !s.ok())
    return gate_.failed("rocksdb drop partition", s);
  retention_->erase(p);
  return ok();
}

StoreStats RocksStore::stats() const {
  StoreStats s;
  s.commits = commits_.load(std::memory_order_relaxed);
  s.committed_bytes = committed_bytes_.load(std::memory_order_relaxed);
  std::uint64_t v = 0;
  if (db_->GetAggregatedIntProperty("rocksdb.total-sst-files-size", &v)) s.sst_bytes = v;
  if (db_->GetAggregatedIntProperty("rocksdb.cur-size-all-mem-tables", &v)) s.memtable_bytes = v;
  if (db_->GetAggregatedIntProperty("rocksdb.estimate-pending-compaction-bytes", &v))
    s.pending_compaction_bytes = v;
  if (db_->GetIntProperty("rocksdb.num-running-compactions", &v)) s.running_compactions = v;
  if (db_->GetIntProperty("rocksdb.is-write-stopped", &v)) s.write_stopped = v != 0;
  if (db_->GetIntProperty("rocksdb.actual-delayed-write-rate", &v)) s.delayed_write_rate = v;
  s.write_failures = gate_.failures();
  s.background_errors = events_->background_errors();
  s.failed = failure().has_value();
  return s;
}

Result<std::uint32_t> RocksStore::source_id(std::string_view name) {
  std::lock_guard lock(admin_mu_);
  std::string key(kSourcePrefix);
  key.append(name);
  rocksdb::PinnableSlice v;
  auto s = db_->Get(rocksdb::ReadOptions{}, cf_[kDefaultCf], slice(key), &v);
  if (s.ok()) {
    if (v.size() != 4) corrupt("source id", key);
    return read_u32(v.data());
  }
  if (!s.IsNotFound()) return error_of("rocksdb read source id", s);
  std::uint32_t next = 1;
  Cursor c(*db_, cf_[kDefaultCf], kSourcePrefix);
  for (c.seek(kSourcePrefix); c.valid(); c.next()) {
    if (c.value().size() != 4) corrupt("source id", c.key());
    next = std::max(next, read_u32(c.value().data()) + 1);
  }
  std::string val(4, '\0');
  for (int i = 0; i < 4; ++i) val[static_cast<std::size_t>(i)] = static_cast<char>(next >> (8 * i));
  rocksdb::WriteOptions wo;
  wo.sync = true;  // positions stored under this id must never outlive the id itself
  if (auto f = gate_.refused()) return *f;
  if (auto w = db_->Put(wo, cf_[kDefaultCf], slice(key), slice(val)); !w.ok())
    return gate_.failed("rocksdb write source id", w);
  return next;
}

Result<void> RocksStore::compact() {
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
  for (auto* h : cf_) {
    if (auto s = db_->CompactRange(o, h, nullptr, nullptr); !s.ok())
      return error_of("rocksdb compact", s);
  }
  return ok();
}

Result<std::uint64_t> RocksStore::count_raw(std::string_view family, Partition p) {
  auto it = std::find(kCfNames.begin(), kCfNames.end(), family);
  if (it == kCfNames.end()) return Error{"unknown column family: " + std::string(family)};
  std::string prefix;
  keys::partition_key(prefix, p);
  Cursor c(*db_, cf_[static_cast<std::size_t>(it - kCfNames.begin())], prefix);
  std::uint64_t n = 0;
  for (c.seek(prefix); c.valid(); c.next()) ++n;
  return n;
}

std::map<std::int32_t, codec::Cutoffs> RocksStore::take_cutoffs() {
  std::lock_guard lock(cutoffs_mu_);
  return std::exchange(cutoffs_, {});
}

// Puts back cutoffs a failed write did not persist (unless newer ones came).
void RocksStore::restore_cutoffs(const std::map<std::int32_t, codec::Cutoffs>& cs) {
  std::lock_guard lock(cutoffs_mu_);
  for (const auto& [p, c] : cs) cutoffs_.try_emplace(p, c);
}

void RocksStore::put_cutoffs(rocksdb::WriteBatch& wb,
                             const std::map<std::int32_t, codec::Cutoffs>& cs) {
  std::string key, val;
  for (const auto& [p, c] : cs) {
    keys::partition_key(key, Partition{p});
    val.clear();
    codec::encode(val, c);
    check(wb.Put(cf_[kRetentionCf], slice(key), slice(val)), "batch");
  }
}

Result<void> RocksStore::write_cutoffs() {
  if (auto f = gate_.refused()) return *f;
  auto cutoffs = take_cutoffs();
  if (cutoffs.empty()) return ok();
  rocksdb::WriteBatch wb;
  put_cutoffs(wb, cutoffs);
  if (auto s = db_->Write(rocksdb::WriteOptions{}, &wb); !s.ok()) {
    restore_cutoffs(cutoffs);
    return gate_.failed("rocksdb write retention cutoffs", s);
  }
  return ok();
}

namespace {

RocksStore* as_rocks(StateStore& store) {
  return dynamic_cast<RocksStore*>(&store);
}

}  // namespace

std::unique_ptr<StateStore> make_rocks_store(std::unique_ptr<rocksdb::DB> db, const Handles& cf,
                                             std::shared_ptr<RetentionTable> retention,
                                             std::string instance, StoreExtras extras) {
  return std::make_unique<RocksStore>(std::move(db), cf, std::move(retention), std::move(instance),
                                      std::move(extras));
}

Result<void> compact_all(StateStore& store) {
  auto* rocks = as_rocks(store);
  if (rocks == nullptr) return Error{"compact_all: not a RocksDB store"};
  return rocks->compact();
}

Result<std::uint64_t> count_raw_entries(StateStore& store, std::string_view column_family,
                                        Partition p) {
  auto* rocks = as_rocks(store);
  if (rocks == nullptr) return Error{"count_raw_entries: not a RocksDB store"};
  return rocks->count_raw(column_family, p);
}

}  // namespace kilter::storage

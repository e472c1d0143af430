// StateStore over RocksDB. Layout and invariants: storage/README.md.
#include "storage/rocks_store.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <utility>

#include <fmt/format.h>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "storage/codec.h"
#include "storage/keys.h"
#include "storage/rocks_batch.h"
#include "storage/rocks_cursor.h"
#include "storage/rocks_logger.h"
#include "storage/rocks_options.h"
#include "storage/rocks_util.h"

namespace kilter::storage {
namespace {

constexpr std::string_view kSourcePrefix = "source/";

std::uint32_t read_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Key buffer of the point lookups (no callbacks run while it is in use).
thread_local std::string tl_key;

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

  ~RocksStore() override {
    if (auto r = failure() ? ok() : write_cutoffs(); !r)
      std::fprintf(stderr, "kilter storage: %s (recomputed at the next evaluation)\n",
                   r.error().message.c_str());
    for (auto* h : cf_) db_->DestroyColumnFamilyHandle(h);
    // Everything committed is already in the WAL; a failed close loses nothing.
    (void)db_->Close();
  }

  std::unique_ptr<Batch> new_batch() override { return std::make_unique<RocksBatch>(this, cf_); }

  Result<void> commit(Batch& batch, bool sync) override {
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
    // Retention cutoffs moved since the last commit ride along.
    auto cutoffs = take_cutoffs();
    put_cutoffs(wb, cutoffs);
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

  std::optional<Error> failure() const override { return gate_.failure(); }

  std::vector<Partition> partitions() override {
    std::vector<Partition> out;
    Cursor c(*db_, cf_[kMetaCf], {});
    for (c.seek({}); c.valid(); c.next()) {
      std::string_view k = c.key();
      Partition p;
      if (!keys::read_partition(k, p) || !k.empty()) corrupt("meta key", c.key());
      out.push_back(p);
    }
    return out;
  }

  std::optional<PartitionMeta> meta(Partition p) override {
    keys::partition_key(tl_key, p);
    rocksdb::PinnableSlice v;
    if (!get(kMetaCf, v)) return std::nullopt;
    PartitionMeta m;
    if (!codec::decode(view(v), m)) corrupt("meta", tl_key);
    return m;
  }

  std::optional<PostRef> find_post(Partition p, std::string_view post_id) override {
    keys::post_key(tl_key, p, post_id);
    rocksdb::PinnableSlice v;
    if (!get(kPostsCf, v)) return std::nullopt;
    PostRef r;
    if (!codec::decode(view(v), r)) corrupt("post", tl_key);
    if (r.ts < retention_->get(p).cutoff) return std::nullopt;
    return r;
  }

  void scan_seen_ids(Partition p, TimePoint from,
                     const std::function<void(const SeenId&)>& fn) override {
    const TimePoint lo = std::max(from, retention_->get(p).seen_cutoff);
    std::string prefix;
    keys::partition_key(prefix, p);
    std::string start;
    keys::seen_prefix(start, p, lo);
    Cursor c(*db_, cf_[kSeenCf], prefix, {}, /*fill_cache=*/false);
    std::vector<SeenId> ids;
    for (c.seek(start); c.valid(); c.next()) {
      ids.clear();
      if (!codec::decode_seen_ids(c.value(), ids)) corrupt("seen ids", c.key());
      for (const auto& s : ids)
        if (s.ts >= lo) fn(s);
    }
  }

  void scan_buckets(
      Partition p, TimePoint from,
      const std::function<void(std::string_view, TimePoint, const BucketCounts&)>& fn) override {
    const TimePoint lo = std::max(from, retention_->get(p).cutoff);
    std::string prefix;
    keys::partition_key(prefix, p);
    // A restore reads every bucket once: keep it from evicting the hot blocks.
    Cursor c(*db_, cf_[kBucketsCf], prefix, {}, /*fill_cache=*/false);
    std::string seek_to;
    std::string scratch;
    std::vector<codec::RowEntry> row;
    // Rows are keyed by their day: the row holding `lo` may start before it.
    const TimePoint lo_row = codec::row_start(lo);
    c.seek(prefix);
    while (c.valid()) {
      const std::string_view key = c.key();
      std::string_view rest = key.substr(keys::kPartitionBytes);
      std::string_view account;
      TimePoint start;
      if (!keys::read_account(rest, scratch, account) || !keys::read_time(rest, start) ||
          !rest.empty())
        corrupt("bucket key", key);
      if (start < lo_row) {
        // Jump over this account's older rows in one seek.
        seek_to.assign(key.substr(0, key.size() - keys::kTimeBytes));
        keys::append_time(seek_to, lo_row);
        c.seek(seek_to);
        continue;
      }
      if (!codec::decode_row(c.value(), row)) corrupt("bucket row", key);
      for (const auto& e : row)
        if (start + e.offset >= lo) fn(account, start + e.offset, e.counts);
      c.next();
    }
  }

  void scan_account_buckets(
      Partition p, std::string_view account, TimePoint from,
      const std::function<void(TimePoint, const BucketCounts&)>& fn) override {
    const TimePoint lo = std::max(from, retention_->get(p).cutoff);
    std::string prefix;
    keys::partition_key(prefix, p);
    keys::append_account(prefix, account);
    std::string start = prefix;
    keys::append_time(start, codec::row_start(lo));
    Cursor c(*db_, cf_[kBucketsCf], prefix);
    std::vector<codec::RowEntry> row;
    for (c.seek(start); c.valid(); c.next()) {
      std::string_view rest = c.key().substr(prefix.size());
      TimePoint row_start;
      if (!keys::read_time(rest, row_start) || !rest.empty()) corrupt("bucket key", c.key());
      if (!codec::decode_row(c.value(), row)) corrupt("bucket row", c.key());
      for (const auto& e : row)
        if (row_start + e.offset >= lo) fn(row_start + e.offset, e.counts);
    }
  }

  std::shared_ptr<const Snapshot> snapshot() override {
    return std::make_shared<RocksSnapshot>(*db_);
  }

  void scan_post_details(
      Partition p, std::string_view account, TimePoint from, TimePoint to,
      const std::function<void(TimePoint, std::string_view, const PostDetail&)>& fn,
      const Snapshot* at) override {
    const TimePoint lo = std::max(from, retention_->get(p).cutoff);
    if (lo >= to) return;
    std::string prefix;
    keys::partition_key(prefix, p);
    keys::append_account(prefix, account);
    std::string start = prefix;
    keys::append_time(start, lo);
    std::string end = prefix;
    keys::append_time(end, to);
    const auto* snap = dynamic_cast<const RocksSnapshot*>(at);
    if (at != nullptr && snap == nullptr) fatal("scan", "snapshot of another store");
    const rocksdb::Snapshot* view_at = snap != nullptr ? snap->get() : nullptr;
    struct Found {
      TimePoint ts;
      std::string id;
      PostDetail detail;
    };
    std::vector<Found> found;
    {
      Cursor c(*db_, cf_[kDetailsCf], prefix, end, true, view_at);
      for (c.seek(start); c.valid(); c.next()) {
        std::string_view rest = c.key().substr(prefix.size());
        TimePoint ts;
        if (!keys::read_time(rest, ts)) corrupt("post detail key", c.key());
        bool full = false;
        std::uint64_t engagement = 0;
        if (!codec::decode_detail_kind(c.value(), full, engagement))
          corrupt("post detail", c.key());
        if (!full) continue;  // engagement whose post record is gone (expired)
        Found f{ts, std::string(rest), {}};
        if (!codec::decode(c.value(), f.detail)) corrupt("post detail", c.key());
        found.push_back(std::move(f));
      }
    }
    if (found.empty()) return;
    // The engagement the posts earned is kept in the account's bucket rows of the
    // days it came (engagement follows its post: from the first post's day on).
    std::vector<std::size_t> by_id(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) by_id[i] = i;
    std::sort(by_id.begin(), by_id.end(),
              [&](std::size_t x, std::size_t y) { return found[x].id < found[y].id; });
    std::string rows_from = prefix;
    keys::append_time(rows_from, codec::row_start(lo));
    Cursor rows(*db_, cf_[kBucketsCf], prefix, {}, true, view_at);
    codec::Row row;
    for (rows.seek(rows_from); rows.valid(); rows.next()) {
      if (!codec::decode_row(rows.value(), row)) corrupt("bucket row", rows.key());
      for (const auto& e : row.engagement) {
        auto it = std::lower_bound(
            by_id.begin(), by_id.end(), e.post_id,
            [&](std::size_t i, const std::string& id) { return found[i].id < id; });
        if (it != by_id.end() && found[*it].id == e.post_id)
          found[*it].detail.engagement += e.weighted;
      }
    }
    for (const auto& f : found) fn(f.ts, f.id, f.detail);
  }

  void scan_alert_states(Partition p, const std::function<void(std::string_view, std::string_view,
                                                               const AlertState&)>& fn) override {
    std::string prefix;
    keys::partition_key(prefix, p);
    Cursor c(*db_, cf_[kAlertsCf], prefix);
    std::string scratch;
    AlertState s;
    for (c.seek(prefix); c.valid(); c.next()) {
      std::string_view rest = c.key().substr(keys::kPartitionBytes);
      std::string_view account;
      if (!keys::read_account(rest, scratch, account)) corrupt("alert key", c.key());
      if (!codec::decode(c.value(), s)) corrupt("alert state", c.key());
      fn(account, rest, s);
    }
  }

  void scan_outbox(Partition p,
                   const std::function<void(std::uint64_t, std::string_view,
                                            const std::vector<std::string>&, bool)>& fn) override {
    std::string prefix;
    keys::partition_key(prefix, p);
    Cursor c(*db_, cf_[kOutboxCf], prefix);
    std::vector<std::string> sinks;
    for (c.seek(prefix); c.valid(); c.next()) {
      std::string_view rest = c.key().substr(keys::kPartitionBytes);
      std::uint64_t seq = 0;
      std::string_view record;
      bool all = false;
      if (!keys::read_u64(rest, seq) || !rest.empty()) corrupt("outbox key", c.key());
      if (!codec::decode_outbox(c.value(), record, sinks, all)) corrupt("outbox", c.key());
      fn(seq, record, sinks, all);
    }
  }

  std::vector<Partition> outbox_partitions() override {
    std::vector<Partition> out;
    Cursor c(*db_, cf_[kOutboxCf], {});
    std::string prefix, next;
    c.seek({});
    while (c.valid()) {
      std::string_view k = c.key();
      Partition p;
      if (!keys::read_partition(k, p)) corrupt("outbox key", c.key());
      out.push_back(p);
      // Jump to the next partition's first key.
      keys::partition_key(prefix, p);
      if (!keys::prefix_end(prefix, next)) break;
      c.seek(next);
    }
    return out;
  }

  Result<void> expire(Partition p, TimePoint cutoff, TimePoint seen_cutoff) override {
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

  Result<void> drop_partition(Partition p) override {
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

  StoreStats stats() const override {
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

  const std::string& instance_id() const override { return instance_; }

  Result<std::uint32_t> source_id(std::string_view name) override {
    std::lock_guard lock(admin_mu_);
    std::string key(kSourcePrefix);
    key.append(name);
    rocksdb::PinnableSlice v;
    auto s = db_->Get(rocksdb::ReadOptions{}, cf_[kDefaultCf], slice(key), &v);
    if (s.ok()) {
      if (v.size() != 4) corrupt("source id", key);
      return read_u32(v.data());
    }
    if (!s.IsNotFound()) return Error{"rocksdb read source id: " + s.ToString()};
    std::uint32_t next = 1;
    Cursor c(*db_, cf_[kDefaultCf], kSourcePrefix);
    for (c.seek(kSourcePrefix); c.valid(); c.next()) {
      if (c.value().size() != 4) corrupt("source id", c.key());
      next = std::max(next, read_u32(c.value().data()) + 1);
    }
    std::string val(4, '\0');
    for (int i = 0; i < 4; ++i)
      val[static_cast<std::size_t>(i)] = static_cast<char>(next >> (8 * i));
    rocksdb::WriteOptions wo;
    wo.sync = true;  // positions stored under this id must never outlive the id itself
    if (auto f = gate_.refused()) return *f;
    if (auto w = db_->Put(wo, cf_[kDefaultCf], slice(key), slice(val)); !w.ok())
      return gate_.failed("rocksdb write source id", w);
    return next;
  }

  Result<void> compact() {
    rocksdb::CompactRangeOptions o;
    o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForceOptimized;
    for (auto* h : cf_) {
      if (auto s = db_->CompactRange(o, h, nullptr, nullptr); !s.ok())
        return Error{"rocksdb compact: " + s.ToString()};
    }
    return ok();
  }

  Result<std::uint64_t> count_raw(std::string_view family, Partition p) {
    auto it = std::find(kCfNames.begin(), kCfNames.end(), family);
    if (it == kCfNames.end()) return Error{"unknown column family: " + std::string(family)};
    std::string prefix;
    keys::partition_key(prefix, p);
    Cursor c(*db_, cf_[static_cast<std::size_t>(it - kCfNames.begin())], prefix);
    std::uint64_t n = 0;
    for (c.seek(prefix); c.valid(); c.next()) ++n;
    return n;
  }

 private:
  std::map<std::int32_t, codec::Cutoffs> take_cutoffs() {
    std::lock_guard lock(cutoffs_mu_);
    return std::exchange(cutoffs_, {});
  }
  // Puts back cutoffs a failed write did not persist (unless newer ones came).
  void restore_cutoffs(const std::map<std::int32_t, codec::Cutoffs>& cs) {
    std::lock_guard lock(cutoffs_mu_);
    for (const auto& [p, c] : cs) cutoffs_.try_emplace(p, c);
  }
  void put_cutoffs(rocksdb::WriteBatch& wb, const std::map<std::int32_t, codec::Cutoffs>& cs) {
    std::string key, val;
    for (const auto& [p, c] : cs) {
      keys::partition_key(key, Partition{p});
      val.clear();
      codec::encode(val, c);
      check(wb.Put(cf_[kRetentionCf], slice(key), slice(val)), "batch");
    }
  }
  Result<void> write_cutoffs() {
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

  // Point lookup of tl_key; true when found.
  bool get(Cf cf, rocksdb::PinnableSlice& v) {
    auto s = db_->Get(rocksdb::ReadOptions{}, cf_[cf], slice(tl_key), &v);
    if (s.IsNotFound()) return false;
    check(s, "read");
    return true;
  }

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

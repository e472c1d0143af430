// The RocksDB store's reads: point lookups and the scans of a partition's
// state. A failed read, or a value our encoder did not write, aborts
// (storage/README.md, "Invariants").
#include <algorithm>
#include <string>
#include <vector>

#include "storage/codec.h"
#include "storage/keys.h"
#include "storage/rocks_cursor.h"
#include "storage/rocks_hooks.h"
#include "storage/rocks_store_impl.h"

namespace kilter::storage {
namespace {

// Key buffer of the point lookups (no callbacks run while it is in use).
thread_local std::string tl_key;

}  // namespace

std::vector<Partition> RocksStore::partitions() {
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

std::optional<PartitionMeta> RocksStore::meta(Partition p) {
  keys::partition_key(tl_key, p);
  rocksdb::PinnableSlice v;
  if (!get(kMetaCf, v)) return std::nullopt;
  PartitionMeta m;
  if (!codec::decode(view(v), m)) corrupt("meta", tl_key);
  return m;
}

std::optional<PostRef> RocksStore::find_post(Partition p, std::string_view post_id) {
  keys::post_key(tl_key, p, post_id);
  rocksdb::PinnableSlice v;
  if (!get(kPostsCf, v)) return std::nullopt;
  PostRef r;
  if (!codec::decode(view(v), r)) corrupt("post", tl_key);
  if (r.ts < retention_->get(p).cutoff) return std::nullopt;
  return r;
}

void RocksStore::scan_seen_ids(Partition p, TimePoint from,
                               const std::function<void(const SeenId&)>& fn) {
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

void RocksStore::scan_buckets(
    Partition p, TimePoint from,
    const std::function<void(std::string_view, TimePoint, const BucketCounts&)>& fn) {
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

void RocksStore::scan_account_buckets(
    Partition p, std::string_view account, TimePoint from,
    const std::function<void(TimePoint, const BucketCounts&)>& fn) {
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

std::shared_ptr<const Snapshot> RocksStore::snapshot() {
  return std::make_shared<RocksSnapshot>(*db_);
}

void RocksStore::scan_post_details(
    Partition p, std::string_view account, TimePoint from, TimePoint to,
    const std::function<void(TimePoint, std::string_view, const PostDetail&)>& fn,
    const Snapshot* at) {
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
    // Posts stored before rows kept them (one key each): still read.
    Cursor c(*db_, cf_[kDetailsCf], prefix, end, true, view_at);
    for (c.seek(start); c.valid(); c.next()) {
      std::string_view rest = c.key().substr(prefix.size());
      TimePoint ts;
      if (!keys::read_time(rest, ts)) corrupt("post detail key", c.key());
      bool full = false;
      std::uint64_t engagement = 0;
      if (!codec::decode_detail_kind(c.value(), full, engagement)) corrupt("post detail", c.key());
      if (!full) continue;  // engagement whose post record is gone (expired)
      Found f{ts, std::string(rest), {}};
      if (!codec::decode(c.value(), f.detail)) corrupt("post detail", c.key());
      found.push_back(std::move(f));
    }
  }
  // The account's rows from the first day: the posts of [lo, to), and the
  // engagement they earned (engagement follows its post: from the post's day
  // on, so every later row counts).
  std::string rows_from = prefix;
  keys::append_time(rows_from, codec::row_start(lo));
  struct Earned {
    std::string id;
    std::uint64_t weighted;
  };
  std::vector<Earned> earned;
  {
    Cursor rows(*db_, cf_[kBucketsCf], prefix, {}, true, view_at);
    codec::Row row;
    for (rows.seek(rows_from); rows.valid(); rows.next()) {
      std::string_view rest = rows.key().substr(prefix.size());
      TimePoint day;
      if (!keys::read_time(rest, day) || !rest.empty()) corrupt("bucket row key", rows.key());
      if (!codec::decode_row(rows.value(), row)) corrupt("bucket row", rows.key());
      for (auto& post : row.posts) {
        const TimePoint ts = day + post.offset;
        if (ts < lo || ts >= to) continue;
        found.push_back({ts, std::move(post.id), std::move(post.detail)});
      }
      for (auto& e : row.engagement) earned.push_back({std::move(e.post_id), e.weighted});
    }
  }
  if (found.empty()) return;
  // Ascending by time then id (the order of the keys that held posts before).
  std::stable_sort(found.begin(), found.end(), [](const Found& x, const Found& y) {
    return x.ts != y.ts ? x.ts < y.ts : x.id < y.id;
  });
  // A post stored under its own key and put again since, into its row: the
  // row's (the later, after it in `found`) is the one.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (kept > 0 && found[kept - 1].ts == found[i].ts && found[kept - 1].id == found[i].id)
      --kept;
    if (kept != i) found[kept] = std::move(found[i]);
    ++kept;
  }
  found.resize(kept);
  std::vector<std::size_t> by_id(found.size());
  for (std::size_t i = 0; i < found.size(); ++i) by_id[i] = i;
  std::sort(by_id.begin(), by_id.end(),
            [&](std::size_t x, std::size_t y) { return found[x].id < found[y].id; });
  for (const auto& e : earned) {
    auto it = std::lower_bound(by_id.begin(), by_id.end(), e.id,
                               [&](std::size_t i, const std::string& id) { return found[i].id < id; });
    for (; it != by_id.end() && found[*it].id == e.id; ++it)
      found[*it].detail.engagement += e.weighted;
  }
  for (const auto& f : found) fn(f.ts, f.id, f.detail);
}

void RocksStore::scan_alert_states(
    Partition p,
    const std::function<void(std::string_view, std::string_view, const AlertState&)>& fn) {
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

void RocksStore::scan_outbox(Partition p,
                             const std::function<void(std::uint64_t, std::string_view,
                                                      const std::vector<std::string>&, bool)>& fn) {
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

std::vector<Partition> RocksStore::outbox_partitions() {
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

// Point lookup of tl_key; true when found.
bool RocksStore::get(Cf cf, rocksdb::PinnableSlice& v) {
  auto s = db_->Get(rocksdb::ReadOptions{}, cf_[cf], slice(tl_key), &v);
  if (s.IsNotFound()) return false;
  check(s, "read");
  return true;
}

}  // namespace kilter::storage

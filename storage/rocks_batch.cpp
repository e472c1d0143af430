#include "storage/rocks_batch.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "storage/codec.h"
#include "storage/keys.h"

namespace kilter::storage {

void fatal(std::string_view what, std::string_view detail) {
  std::fprintf(stderr, "kilter storage: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void corrupt(std::string_view what, std::string_view key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : key.substr(0, 64)) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  fatal(what, "undecodable entry at key " + hex);
}

namespace {

// Bytes [from, from + n) of key (n <= 8), big-endian, zero where the key is
// shorter: integers ordered as the bytes are (a shorter key's zero padding
// sorts before or ties with any byte, and ties are settled on the whole keys).
std::uint64_t big_endian(std::string_view key, std::size_t from, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = from + i;
    v = (v << 8) | (at < key.size() ? static_cast<unsigned char>(key[at]) : 0u);
  }
  return v;
}

}  // namespace

std::size_t RocksBatch::begin_op() {
  const auto at = buf_.size();
  buf_.append(key_);
  return at;
}

void RocksBatch::stage(Cf cf, Kind kind, std::size_t at) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  const auto val_len = buf_.size() - at - key_.size();
  if (key_.size() > kMax || val_len > kMax) fatal("batch", "entry larger than 4 GiB");
  ops_.push_back(Op{at, static_cast<std::uint32_t>(key_.size()),
                    static_cast<std::uint32_t>(val_len), static_cast<std::uint8_t>(cf), kind});
  built_ = false;
}

void RocksBatch::merge_bucket(Partition p, std::string_view account, TimePoint bucket,
                              const BucketCounts& delta) {
  const TimePoint row = codec::row_start(bucket);
  keys::bucket_key(key_, p, account, row);
  const auto at = begin_op();
  const codec::RowEntry entry{bucket - row, delta};
  codec::encode_row(buf_, std::span(&entry, 1));
  stage(kBucketsCf, Kind::merge, at);
}

void RocksBatch::put_post(Partition p, std::string_view post_id, const PostRef& ref) {
  keys::post_key(key_, p, post_id);
  const auto at = begin_op();
  codec::encode(buf_, ref);
  stage(kPostsCf, Kind::put, at);
}

void RocksBatch::put_post_detail(Partition p, std::string_view account, TimePoint ts,
                                 std::string_view post_id, const PostDetail& d) {
  // With the account's buckets of that day: folded into the row's one write.
  const TimePoint row = codec::row_start(ts);
  keys::bucket_key(key_, p, account, row);
  const auto at = begin_op();
  codec::encode_row_post(buf_, ts - row, post_id, d);
  stage(kBucketsCf, Kind::merge, at);
}

void RocksBatch::add_post_engagement(Partition p, std::string_view account, TimePoint ts,
                                     std::string_view post_id, std::uint64_t delta) {
  // With the account's buckets of that day: folded into the row's one write.
  keys::bucket_key(key_, p, account, codec::row_start(ts));
  const auto at = begin_op();
  codec::encode_row_engagement(buf_, post_id, delta);
  stage(kBucketsCf, Kind::merge, at);
}

void RocksBatch::put_seen_ids(Partition p, Offset position, std::span<const SeenId> ids) {
  if (ids.empty()) return;
  TimePoint newest = ids.front().ts;
  for (const auto& s : ids) newest = std::max(newest, s.ts);
  keys::seen_key(key_, p, newest, position);
  const auto at = begin_op();
  codec::encode_seen_ids(buf_, ids);
  stage(kSeenCf, Kind::put, at);
}

void RocksBatch::put_alert_state(Partition p, std::string_view account, std::string_view rule,
                                 const AlertState& s) {
  keys::alert_key(key_, p, account, rule);
  const auto at = begin_op();
  codec::encode(buf_, s);
  stage(kAlertsCf, Kind::put, at);
}

void RocksBatch::put_outbox(Partition p, std::uint64_t seq, std::string_view record,
                            std::span<const std::string> sinks) {
  keys::outbox_key(key_, p, seq);
  const auto at = begin_op();
  codec::encode_outbox(buf_, record, sinks);
  stage(kOutboxCf, Kind::put, at);
}

void RocksBatch::delete_outbox(Partition p, std::uint64_t seq) {
  keys::outbox_key(key_, p, seq);
  stage(kOutboxCf, Kind::del, begin_op());
}

void RocksBatch::put_meta(Partition p, const PartitionMeta& m) {
  keys::partition_key(key_, p);
  const auto at = begin_op();
  codec::encode(buf_, m);
  stage(kMetaCf, Kind::put, at);
}

std::size_t RocksBatch::approximate_bytes() const {
  // What the WriteBatch will hold: the bytes plus a few of framing per entry.
  return buf_.size() + ops_.size() * 8;
}

void RocksBatch::absorb(Batch& later) {
  auto* b = dynamic_cast<RocksBatch*>(&later);
  if (b == nullptr || b->owner_ != owner_) fatal("batch", "absorb: a batch of another store");
  const auto shift = buf_.size();
  buf_ += b->buf_;
  for (auto op : b->ops_) {
    op.at += shift;
    ops_.push_back(op);
  }
  // Cutoffs staged by an export stay in the ops; this batch is exported again
  // before it is committed (it is sent to the changelog whole).
  exported_ = exported_ || b->exported_;
  built_ = false;
  b->clear();
}

rocksdb::WriteBatch& RocksBatch::build() {
  if (built_) return wb_;
  built_ = true;
  wb_.Clear();
  const char* base = buf_.data();
  auto key = [&](const Op& op) { return std::string_view(base + op.at, op.key_len); };
  // Sorted on the column family and the keys' first 15 bytes, read once into
  // two integers (the partition and most of an account id): most comparisons
  // end there, without reaching the keys scattered in buf_.
  sorted_.resize(ops_.size());
  for (std::uint32_t i = 0; i < ops_.size(); ++i) {
    const auto k = key(ops_[i]);
    sorted_[i] =
        SortKey{(std::uint64_t{ops_[i].cf} << 56) | big_endian(k, 0, 7), big_endian(k, 7, 8), i};
  }
  std::sort(sorted_.begin(), sorted_.end(), [&](const SortKey& x, const SortKey& y) {
    if (x.head != y.head) return x.head < y.head;
    if (x.next != y.next) return x.next < y.next;
    if (int c = key(ops_[x.op]).compare(key(ops_[y.op])); c != 0) return c < 0;
    return x.op < y.op;  // same key: call order
  });
  for (std::size_t j = 0; j < sorted_.size();) {
    const Op& op = ops_[sorted_[j].op];
    auto* cf = cf_[op.cf];
    const rocksdb::Slice k(base + op.at, op.key_len);
    rocksdb::Slice v(base + op.at + op.key_len, op.val_len);
    // The bucket deltas and post engagement of one account and day become one
    // write: one row.
    std::size_t next = j + 1;
    if (op.cf == kBucketsCf && op.kind == Kind::merge) {
      for (; next < sorted_.size(); ++next) {
        const Op& o = ops_[sorted_[next].op];
        if (o.cf != op.cf || o.kind != Kind::merge || key(o) != key(op)) break;
      }
      if (next > j + 1) {
        if (!codec::decode_row(std::string_view{v.data(), v.size()}, row_))
          fatal("batch", "bucket row expected");
        for (std::size_t i = j + 1; i < next; ++i) {
          const Op& o = ops_[sorted_[i].op];
          if (!codec::decode_row(std::string_view{base + o.at + o.key_len, o.val_len}, delta_row_))
            fatal("batch", "bucket row expected");
          codec::merge_rows(row_, delta_row_);
        }
        folded_.clear();
        codec::encode_row(folded_, row_);
        v = slice(folded_);
      }
    }
    switch (op.kind) {
      case Kind::put:
        check(wb_.Put(cf, k, v), "batch");
        break;
      case Kind::merge:
        check(wb_.Merge(cf, k, v), "batch");
        break;
      case Kind::del:
        check(wb_.Delete(cf, k), "batch");
        break;
    }
    j = next;
  }
  return wb_;
}

void RocksBatch::clear() {
  // Keeps every buffer's capacity: a reused batch allocates nothing.
  buf_.clear();
  ops_.clear();
  wb_.Clear();
  built_ = false;
  exported_ = false;
}

}  // namespace kilter::storage

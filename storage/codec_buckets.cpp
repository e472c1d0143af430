// Bucket values: the packed form of BucketCounts, day rows with the engagement
// of posts (see codec.h).
#include <algorithm>
#include <bit>
#include <limits>

#include "common/saturating.h"
#include "common/time.h"
#include "storage/codec.h"
#include "storage/codec_internal.h"

namespace kilter::storage::codec {

using namespace internal;

void encode(std::string& out, const BucketCounts& c) {
  out.push_back(static_cast<char>(kV1));
  pack(out, c);
}

bool decode(std::string_view in, BucketCounts& out) {
  if (in.empty() || static_cast<std::uint8_t>(in[0]) != kV1) return false;
  in.remove_prefix(1);
  return unpack(in, out) && in.empty();
}

TimePoint row_start(TimePoint bucket) {
  // The earliest times (a "from the beginning" bound) have no day below them.
  if (bucket < TimePoint::min() + kRowSpan) return TimePoint::min();
  return bucket_start(bucket, kRowSpan);
}

void encode_row(std::string& out, std::span<const RowEntry> entries) {
  out.push_back(static_cast<char>(kV2));
  put_varint(out, entries.size());
  for (const auto& e : entries) {
    put_varint(out, static_cast<std::uint64_t>(e.offset.count()));
    pack(out, e.counts);
  }
}

namespace {

// Reads the buckets of a row (any version) from `in`, leaving what follows
// them (v3: the engagement) in `in`; `version` tells which it was.
bool read_row_buckets(std::string_view& in, std::vector<RowEntry>& out, std::uint8_t& version) {
  out.clear();
  if (in.empty()) return false;
  version = static_cast<std::uint8_t>(in[0]);
  if (version == kV1) {  // one bucket, at the key's time
    out.emplace_back();
    const bool good = decode(in, out.back().counts);
    in = {};
    return good;
  }
  if (version != kV2 && version != kV3) return false;
  in.remove_prefix(1);
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  out.resize(n);
  std::uint64_t previous = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t offset = 0;
    if (!get_varint(in, offset) || offset >= static_cast<std::uint64_t>(kRowSpan.count()) ||
        (i > 0 && offset <= previous))
      return false;
    previous = offset;
    out[i].offset = Millis{static_cast<std::int64_t>(offset)};
    if (!unpack(in, out[i].counts)) return false;
  }
  return true;
}

// The engagement list of a v3 row; appends to `out`, or only checks it when
// `out` is null (a scan for the buckets allocates nothing for it).
bool read_row_engagement(std::string_view& in, std::vector<PostEngagement>* out) {
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  std::string_view previous;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t len = 0;
    std::uint64_t weighted = 0;
    if (!get_varint(in, len) || len > in.size()) return false;
    const auto id = in.substr(0, len);
    in.remove_prefix(len);
    if (!get_varint(in, weighted)) return false;
    if (i > 0 && !(previous < id)) return false;
    previous = id;
    if (out != nullptr) out->push_back({std::string(id), weighted});
  }
  return true;
}

}  // namespace

bool decode_row(std::string_view in, std::vector<RowEntry>& out) {
  std::uint8_t version = 0;
  if (!read_row_buckets(in, out, version)) return false;
  if (version != kV3) return in.empty();
  return read_row_engagement(in, nullptr) && in.empty();
}

bool decode_row(std::string_view in, Row& out) {
  std::uint8_t version = 0;
  out.engagement.clear();
  if (!read_row_buckets(in, out.buckets, version)) return false;
  if (version != kV3) return in.empty();
  return read_row_engagement(in, &out.engagement) && in.empty();
}

void encode_row(std::string& out, const Row& row) {
  const auto start = out.size();
  encode_row(out, row.buckets);
  if (row.engagement.empty()) return;
  out[start] = static_cast<char>(kV3);
  put_varint(out, row.engagement.size());
  for (const auto& e : row.engagement) {
    put_varint(out, e.post_id.size());
    out.append(e.post_id);
    put_varint(out, e.weighted);
  }
}

void merge_rows(Row& sum, const Row& delta) {
  merge_rows(sum.buckets, delta.buckets);
  auto it = sum.engagement.begin();
  for (const auto& d : delta.engagement) {
    it = std::lower_bound(
        it, sum.engagement.end(), d.post_id,
        [](const PostEngagement& e, const std::string& id) { return e.post_id < id; });
    if (it != sum.engagement.end() && it->post_id == d.post_id) {
      sat_add_to(it->weighted, d.weighted);
    } else {
      it = sum.engagement.insert(it, d);
    }
    ++it;
  }
}

void merge_rows(std::vector<RowEntry>& sum, std::span<const RowEntry> delta) {
  auto it = sum.begin();
  for (const auto& d : delta) {
    it = std::lower_bound(it, sum.end(), d.offset,
                          [](const RowEntry& e, Millis o) { return e.offset < o; });
    if (it != sum.end() && it->offset == d.offset) {
      it->counts.merge(d.counts);
    } else {
      it = sum.insert(it, d);
    }
    ++it;
  }
}

}  // namespace kilter::storage::codec

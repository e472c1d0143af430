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
  if (version != kV2 && version != kV3 && version != kV4) return false;
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
    std::string_view id;
    std::uint64_t weighted = 0;
    if (!get_prefixed(in, id) || !get_varint(in, weighted)) return false;
    if (i > 0 && !(previous < id)) return false;
    previous = id;
    if (out != nullptr) out->push_back({std::string(id), weighted});
  }
  return true;
}

// The posts of a v4 row; appends to `out`, or only checks them when `out` is
// null.
bool read_row_posts(std::string_view& in, std::vector<RowPost>* out) {
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  std::uint64_t previous_offset = 0;
  std::string_view previous_id;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t offset = 0;
    std::string_view id;
    if (!get_varint(in, offset) || offset >= static_cast<std::uint64_t>(kRowSpan.count()))
      return false;
    if (!get_prefixed(in, id)) return false;
    if (i > 0 && (offset < previous_offset || (offset == previous_offset && !(previous_id < id))))
      return false;
    previous_offset = offset;
    previous_id = id;
    if (in.size() < 5 || !valid_category(static_cast<std::uint8_t>(in[0]))) return false;
    const auto category = static_cast<Category>(static_cast<std::uint8_t>(in[0]));
    const float confidence = get_f32(in.data() + 1);
    in.remove_prefix(5);
    std::string_view matched;
    std::string_view link;
    if (!get_prefixed(in, matched) || !get_prefixed(in, link)) return false;
    if (out == nullptr) continue;
    auto& p = out->emplace_back();
    p.offset = Millis{static_cast<std::int64_t>(offset)};
    p.id.assign(id);
    p.detail.category = category;
    p.detail.confidence = confidence;
    p.detail.matched.assign(matched);
    p.detail.link.assign(link);
  }
  return true;
}

void put_post(std::string& out, Millis offset, std::string_view id, const PostDetail& d) {
  put_varint(out, static_cast<std::uint64_t>(offset.count()));
  put_prefixed(out, id);
  out.push_back(static_cast<char>(d.category));
  put_f32(out, d.confidence);
  put_prefixed(out, d.matched);
  put_prefixed(out, d.link);
}

bool post_before(const RowPost& a, Millis offset, std::string_view id) {
  return a.offset != offset ? a.offset < offset : std::string_view(a.id) < id;
}

}  // namespace

bool decode_row(std::string_view in, std::vector<RowEntry>& out) {
  std::uint8_t version = 0;
  if (!read_row_buckets(in, out, version)) return false;
  if (version == kV1 || version == kV2) return in.empty();
  if (!read_row_engagement(in, nullptr)) return false;
  if (version == kV4 && !read_row_posts(in, nullptr)) return false;
  return in.empty();
}

bool decode_row(std::string_view in, Row& out) {
  std::uint8_t version = 0;
  out.engagement.clear();
  out.posts.clear();
  if (!read_row_buckets(in, out.buckets, version)) return false;
  if (version == kV1 || version == kV2) return in.empty();
  if (!read_row_engagement(in, &out.engagement)) return false;
  if (version == kV4 && !read_row_posts(in, &out.posts)) return false;
  return in.empty();
}

void encode_row(std::string& out, const Row& row) {
  const auto start = out.size();
  encode_row(out, row.buckets);
  if (row.engagement.empty() && row.posts.empty()) return;
  out[start] = static_cast<char>(row.posts.empty() ? kV3 : kV4);
  put_varint(out, row.engagement.size());
  for (const auto& e : row.engagement) {
    put_prefixed(out, e.post_id);
    put_varint(out, e.weighted);
  }
  if (row.posts.empty()) return;
  put_varint(out, row.posts.size());
  for (const auto& p : row.posts) put_post(out, p.offset, p.id, p.detail);
}

void encode_row_engagement(std::string& out, std::string_view post_id, std::uint64_t weighted) {
  out.push_back(static_cast<char>(kV3));
  put_varint(out, 0);  // no buckets
  put_varint(out, 1);
  put_prefixed(out, post_id);
  put_varint(out, weighted);
}

void encode_row_post(std::string& out, Millis offset, std::string_view post_id,
                     const PostDetail& d) {
  out.push_back(static_cast<char>(kV4));
  put_varint(out, 0);  // no buckets
  put_varint(out, 0);  // no engagement
  put_varint(out, 1);
  put_post(out, offset, post_id, d);
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
  auto at = sum.posts.begin();
  for (const auto& d : delta.posts) {
    at = std::lower_bound(at, sum.posts.end(), d, [](const RowPost& e, const RowPost& k) {
      return post_before(e, k.offset, k.id);
    });
    if (at != sum.posts.end() && at->offset == d.offset && at->id == d.id) {
      *at = d;  // put again: the later one
    } else {
      at = sum.posts.insert(at, d);
    }
    ++at;
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

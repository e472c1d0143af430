#include "pipeline/model/counts.h"

#include <bit>
#include <limits>

#include "common/saturating.h"
#include "common/varint.h"

namespace kilter {
namespace {

// Bit layout of the packed form's mask.
constexpr unsigned kPostBits = kCategories;
constexpr unsigned kEngagementBits = kEngagementClasses * kActions;
constexpr unsigned kFirstBit = kPostBits + kEngagementBits;  // first follower snapshot
constexpr unsigned kLastBit = kFirstBit + 1;                 // last follower snapshot
constexpr unsigned kLastIsFirstBit = kFirstBit + 2;          // last equals first: no payload
constexpr std::uint64_t kKnownBits = (std::uint64_t{1} << (kLastIsFirstBit + 1)) - 1;
static_assert(kLastIsFirstBit < 64);

std::uint64_t zigzag(std::int64_t v) {
  return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}
std::int64_t unzigzag(std::uint64_t v) {
  return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
}
bool get_signed(std::string_view& in, std::int64_t& v) {
  std::uint64_t u = 0;
  if (!get_varint(in, u)) return false;
  v = unzigzag(u);
  return true;
}

}  // namespace

void FollowerSpan::add(std::int64_t ts, std::int64_t value) {
  if (first_ts == 0 || ts < first_ts || (ts == first_ts && value > first)) {
    first_ts = ts;
    first = value;
  }
  if (last_ts == 0 || ts > last_ts || (ts == last_ts && value > last)) {
    last_ts = ts;
    last = value;
  }
}

void FollowerSpan::merge(const FollowerSpan& o) {
  if (o.first_ts != 0) add(o.first_ts, o.first);
  if (o.last_ts != 0) add(o.last_ts, o.last);
}

void BucketCounts::merge(const BucketCounts& o) {
  // Sums of counts saturate (common/saturating.h): any number of buckets adds up here.
  for (std::size_t i = 0; i < posts.size(); ++i) sat_add_to(posts[i], o.posts[i]);
  for (std::size_t c = 0; c < engagement.size(); ++c)
    for (std::size_t a = 0; a < engagement[c].size(); ++a)
      sat_add_to(engagement[c][a], o.engagement[c][a]);
  followers.merge(o.followers);
}

bool BucketCounts::empty() const {
  return *this == BucketCounts{};
}

std::uint64_t BucketCounts::total_posts() const {
  std::uint64_t n = 0;
  for (auto p : posts) n += p;
  return n;
}

void pack(std::string& out, const BucketCounts& c) {
  std::uint64_t mask = 0;
  for (unsigned i = 0; i < kPostBits; ++i)
    if (c.posts[i] != 0) mask |= std::uint64_t{1} << i;
  for (unsigned e = 0; e < kEngagementClasses; ++e)
    for (unsigned a = 0; a < kActions; ++a)
      if (c.engagement[e][a] != 0) mask |= std::uint64_t{1} << (kPostBits + e * kActions + a);
  const auto& f = c.followers;
  const bool has_first = f.first_ts != 0;
  const bool has_last = f.last_ts != 0;
  const bool same = has_first && has_last && f.first_ts == f.last_ts && f.first == f.last;
  if (has_first) mask |= std::uint64_t{1} << kFirstBit;
  if (same) {
    mask |= std::uint64_t{1} << kLastIsFirstBit;
  } else if (has_last) {
    mask |= std::uint64_t{1} << kLastBit;
  }

  put_varint(out, mask);
  for (unsigned i = 0; i < kPostBits; ++i)
    if (c.posts[i] != 0) put_varint(out, c.posts[i]);
  for (const auto& row : c.engagement)
    for (auto v : row)
      if (v != 0) put_varint(out, v);
  if (has_first) {
    put_varint(out, zigzag(f.first_ts));
    put_varint(out, zigzag(f.first));
  }
  if (has_last && !same) {
    put_varint(out, zigzag(f.last_ts));
    put_varint(out, zigzag(f.last));
  }
}

std::uint8_t packed_kinds(std::string_view packed) {
  std::uint64_t mask = 0;
  if (!get_varint(packed, mask)) return 0;
  constexpr std::uint64_t kPosts = (std::uint64_t{1} << kPostBits) - 1;
  constexpr std::uint64_t kEngagement = ((std::uint64_t{1} << kEngagementBits) - 1) << kPostBits;
  std::uint8_t out = 0;
  if (mask & kPosts) out |= 1;
  if (mask & kEngagement) out |= 2;
  if (mask >> kFirstBit) out |= 4;
  return out;
}

namespace {

// Adds a packed bucket into `sum`; with `assign`, `sum` is empty and the
// follower span is taken as stored (an unpack), not merged.
bool read_packed(std::string_view& in, BucketCounts& sum, bool assign) {
  std::uint64_t mask = 0;
  if (!get_varint(in, mask) || (mask & ~kKnownBits) != 0) return false;
  const bool same = (mask >> kLastIsFirstBit) & 1;
  const bool has_first = (mask >> kFirstBit) & 1;
  const bool has_last = (mask >> kLastBit) & 1;
  if (same && (has_last || !has_first)) return false;
  // Only the fields present: a bucket of a few events has one or two.
  for (std::uint64_t counts = mask & ((std::uint64_t{1} << kFirstBit) - 1); counts != 0;
       counts &= counts - 1) {
    const auto i = static_cast<unsigned>(std::countr_zero(counts));
    std::uint64_t v = 0;
    if (!get_varint(in, v)) return false;
    if (i < kPostBits) {
      if (v > std::numeric_limits<std::uint32_t>::max()) return false;
      sat_add_to(sum.posts[i], v);
    } else {
      const unsigned e = i - kPostBits;
      sat_add_to(sum.engagement[e / kActions][e % kActions], v);
    }
  }
  if (has_first || has_last) {
    FollowerSpan f;
    if (has_first && !(get_signed(in, f.first_ts) && get_signed(in, f.first))) return false;
    if (has_last && !(get_signed(in, f.last_ts) && get_signed(in, f.last))) return false;
    if (same) {
      f.last_ts = f.first_ts;
      f.last = f.first;
    }
    if (assign)
      sum.followers = f;
    else
      sum.followers.merge(f);
  }
  return true;
}

}  // namespace

bool add_packed(std::string_view& in, BucketCounts& sum) {
  return read_packed(in, sum, false);
}

bool unpack(std::string_view& in, BucketCounts& out) {
  out = BucketCounts{};
  return read_packed(in, out, true);
}

}  // namespace kilter

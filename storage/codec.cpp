#include "storage/codec.h"

#include "common/time.h"
#include "common/varint.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace kilter::storage::codec {
namespace {

// Bit layout of the BucketCounts mask.
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

void put_i64(std::string& out, std::int64_t v) {
  put_fixed64(out, static_cast<std::uint64_t>(v));
}
std::int64_t get_i64(const char* p) {
  return static_cast<std::int64_t>(get_fixed64(p));
}

bool valid_category(std::uint8_t c) {
  return c < kCategories;
}

}  // namespace

void put_fixed64(std::string& out, std::uint64_t v) {
  char buf[8];
  set_fixed64(buf, v);
  out.append(buf, 8);
}

std::uint64_t get_fixed64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

void set_fixed64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

// ---- BucketCounts

}  // namespace kilter::storage::codec

namespace kilter::storage {

void pack(std::string& out, const BucketCounts& c) {
  using namespace codec;
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
  using namespace codec;
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
  using namespace codec;
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
      sum.posts[i] += static_cast<std::uint32_t>(v);
    } else {
      const unsigned e = i - kPostBits;
      sum.engagement[e / kActions][e % kActions] += v;
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

}  // namespace kilter::storage

namespace kilter::storage::codec {

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
      it->weighted += d.weighted;
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

// ---- PostRef

void encode(std::string& out, const PostRef& r) {
  out.push_back(static_cast<char>(kV1));
  out.push_back(static_cast<char>(r.category));
  put_i64(out, epoch_ms(r.ts));
  out.append(r.account);
}

bool decode_post_ts(std::string_view in, TimePoint& ts) {
  if (in.size() < 10 || static_cast<std::uint8_t>(in[0]) != kV1) return false;
  if (!valid_category(static_cast<std::uint8_t>(in[1]))) return false;
  ts = from_epoch_ms(get_i64(in.data() + 2));
  return true;
}

bool decode(std::string_view in, PostRef& out) {
  if (!decode_post_ts(in, out.ts)) return false;
  out.category = static_cast<Category>(in[1]);
  out.account.assign(in.substr(10));
  return true;
}

// ---- PostDetail

void encode(std::string& out, const PostDetail& d) {
  out.push_back(static_cast<char>(kDetailFull));
  out.push_back(static_cast<char>(d.category));
  auto bits = std::bit_cast<std::uint32_t>(d.confidence);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(bits >> (8 * i)));
  put_fixed64(out, d.engagement);
  put_varint(out, d.matched.size());
  out.append(d.matched);
  out.append(d.link);
}

bool decode_detail_kind(std::string_view in, bool& is_full, std::uint64_t& engagement) {
  if (in.empty()) return false;
  switch (static_cast<std::uint8_t>(in[0])) {
    case kDetailFull:
      if (in.size() < kDetailEngagementOffset + 8 + 1) return false;
      is_full = true;
      engagement = get_fixed64(in.data() + kDetailEngagementOffset);
      return true;
    case kDetailAdd:
      if (in.size() != 9) return false;
      is_full = false;
      engagement = get_fixed64(in.data() + 1);
      return true;
    default:
      return false;
  }
}

bool decode(std::string_view in, PostDetail& out) {
  bool full = false;
  if (!decode_detail_kind(in, full, out.engagement) || !full) return false;
  auto cat = static_cast<std::uint8_t>(in[1]);
  if (!valid_category(cat)) return false;
  out.category = static_cast<Category>(cat);
  std::uint32_t bits = 0;
  for (int i = 3; i >= 0; --i) bits = (bits << 8) | static_cast<unsigned char>(in[2 + i]);
  out.confidence = std::bit_cast<float>(bits);
  in.remove_prefix(kDetailEngagementOffset + 8);
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  out.matched.assign(in.substr(0, n));
  out.link.assign(in.substr(n));
  return true;
}

void encode_engagement_add(std::string& out, std::uint64_t delta) {
  out.push_back(static_cast<char>(kDetailAdd));
  put_fixed64(out, delta);
}

bool add_detail_engagement(std::string& value, std::uint64_t delta) {
  bool full = false;
  std::uint64_t e = 0;
  if (!decode_detail_kind(value, full, e)) return false;
  set_fixed64(value.data() + (full ? kDetailEngagementOffset : 1), e + delta);
  return true;
}

// ---- AlertState

// v1: version, phase, since, last value (18 bytes); v2 adds a flags byte (19).
void encode(std::string& out, const AlertState& s) {
  out.push_back(static_cast<char>(kV2));
  out.push_back(static_cast<char>(s.phase));
  put_i64(out, epoch_ms(s.since));
  put_fixed64(out, std::bit_cast<std::uint64_t>(s.last_value));
  out.push_back(static_cast<char>(s.notified ? 1 : 0));
}

bool decode(std::string_view in, AlertState& out) {
  if (in.empty()) return false;
  const auto version = static_cast<std::uint8_t>(in[0]);
  if (!((version == kV1 && in.size() == 18) || (version == kV2 && in.size() == 19))) return false;
  auto phase = static_cast<std::uint8_t>(in[1]);
  if (phase > static_cast<std::uint8_t>(AlertPhase::firing)) return false;
  out.phase = static_cast<AlertPhase>(phase);
  out.since = from_epoch_ms(get_i64(in.data() + 2));
  out.last_value = std::bit_cast<double>(get_fixed64(in.data() + 10));
  // v1 knew no suppression: a firing alert had been notified.
  out.notified = version == kV1 ? out.phase == AlertPhase::firing
                                : (static_cast<std::uint8_t>(in[18]) & 1) != 0;
  return true;
}

// ---- PartitionMeta

void encode(std::string& out, const PartitionMeta& m) {
  out.push_back(static_cast<char>(kV1));
  put_i64(out, m.position.value());
  put_i64(out, epoch_ms(m.max_event_time));
  put_i64(out, epoch_ms(m.last_evaluated));
  put_fixed64(out, m.next_outbox_seq);
}

bool decode(std::string_view in, PartitionMeta& out) {
  if (in.size() != 33 || static_cast<std::uint8_t>(in[0]) != kV1) return false;
  out.position = Offset{get_i64(in.data() + 1)};
  out.max_event_time = from_epoch_ms(get_i64(in.data() + 9));
  out.last_evaluated = from_epoch_ms(get_i64(in.data() + 17));
  out.next_outbox_seq = get_fixed64(in.data() + 25);
  return true;
}

// ---- Cutoffs

void encode(std::string& out, const Cutoffs& c) {
  out.push_back(static_cast<char>(kV1));
  put_i64(out, epoch_ms(c.cutoff));
  put_i64(out, epoch_ms(c.seen_cutoff));
}

bool decode(std::string_view in, Cutoffs& out) {
  if (in.size() != 17 || static_cast<std::uint8_t>(in[0]) != kV1) return false;
  out.cutoff = from_epoch_ms(get_i64(in.data() + 1));
  out.seen_cutoff = from_epoch_ms(get_i64(in.data() + 9));
  return true;
}

// ---- Outbox

// v1: the record alone (every sink). v2: the sinks still owed (varint count, then
// varint length + name each), then the record.
void encode_outbox(std::string& out, std::string_view record, std::span<const std::string> sinks) {
  out.push_back(static_cast<char>(kV2));
  put_varint(out, sinks.size());
  for (const auto& s : sinks) {
    put_varint(out, s.size());
    out.append(s);
  }
  out.append(record);
}

bool decode_outbox(std::string_view in, std::string_view& record, std::vector<std::string>& sinks,
                   bool& all_sinks) {
  if (in.empty()) return false;
  sinks.clear();
  const auto version = static_cast<std::uint8_t>(in[0]);
  in.remove_prefix(1);
  if (version == kV1) {
    all_sinks = true;
    record = in;
    return true;
  }
  if (version != kV2) return false;
  all_sinks = false;
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > 1024) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t len = 0;
    if (!get_varint(in, len) || len > in.size()) return false;
    sinks.emplace_back(in.substr(0, len));
    in.remove_prefix(len);
  }
  record = in;
  return true;
}

void encode_seen_ids(std::string& out, std::span<const SeenId> ids) {
  out.push_back(static_cast<char>(kV1));
  put_varint(out, ids.size());
  std::int64_t oldest = ids.empty() ? 0 : epoch_ms(ids.front().ts);
  for (const auto& s : ids) oldest = std::min(oldest, epoch_ms(s.ts));
  put_i64(out, oldest);
  for (const auto& s : ids) {
    put_varint(out, static_cast<std::uint64_t>(epoch_ms(s.ts) - oldest));
    put_fixed64(out, s.id);
  }
}

bool decode_seen_ids(std::string_view in, std::vector<SeenId>& out) {
  if (in.empty() || static_cast<std::uint8_t>(in[0]) != kV1) return false;
  in.remove_prefix(1);
  std::uint64_t n = 0;
  if (!get_varint(in, n) || in.size() < 8 || n > in.size()) return false;
  const std::int64_t oldest = get_i64(in.data());
  in.remove_prefix(8);
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t delta = 0;
    if (!get_varint(in, delta) || in.size() < 8 ||
        delta > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - oldest))
      return false;
    out.push_back(
        SeenId{from_epoch_ms(oldest + static_cast<std::int64_t>(delta)), get_fixed64(in.data())});
    in.remove_prefix(8);
  }
  return in.empty();
}

}  // namespace kilter::storage::codec

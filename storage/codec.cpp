#include "storage/codec.h"

#include "common/time.h"
#include "common/varint.h"
#include "storage/codec_internal.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include "common/saturating.h"

namespace kilter::storage::codec {

using namespace internal;

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
  put_f32(out, d.confidence);
  put_fixed64(out, d.engagement);
  put_prefixed(out, d.matched);
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
  out.confidence = get_f32(in.data() + 2);
  in.remove_prefix(kDetailEngagementOffset + 8);
  std::string_view matched;
  if (!get_prefixed(in, matched)) return false;
  out.matched.assign(matched);
  out.link.assign(in);
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
  set_fixed64(value.data() + (full ? kDetailEngagementOffset : 1), sat_add(e, delta));
  return true;
}

// ---- AlertState

// v1: version, phase, since, last value (18 bytes); v2 adds a flags byte (19);
// v3 adds verdict_at and within_since (i64 each; flag bit 1 says whether
// within_since is set, its bytes are 0 otherwise): 35 bytes.
namespace {
constexpr std::uint8_t kNotified = 1;
constexpr std::uint8_t kWithin = 2;
}  // namespace

void encode(std::string& out, const AlertState& s) {
  out.push_back(static_cast<char>(kV3));
  out.push_back(static_cast<char>(s.phase));
  put_i64(out, epoch_ms(s.since));
  put_fixed64(out, std::bit_cast<std::uint64_t>(s.last_value));
  out.push_back(static_cast<char>((s.notified ? kNotified : 0) | (s.within_since ? kWithin : 0)));
  put_i64(out, epoch_ms(s.verdict_at));
  put_i64(out, s.within_since ? epoch_ms(*s.within_since) : 0);
}

bool decode(std::string_view in, AlertState& out) {
  if (in.empty()) return false;
  const auto version = static_cast<std::uint8_t>(in[0]);
  if (!((version == kV1 && in.size() == 18) || (version == kV2 && in.size() == 19) ||
        (version == kV3 && in.size() == 35)))
    return false;
  auto phase = static_cast<std::uint8_t>(in[1]);
  if (phase > static_cast<std::uint8_t>(AlertPhase::firing)) return false;
  const auto flags = version == kV1 ? std::uint8_t{0} : static_cast<std::uint8_t>(in[18]);
  if (version == kV3 && (flags & ~(kNotified | kWithin)) != 0) return false;
  out.phase = static_cast<AlertPhase>(phase);
  out.since = from_epoch_ms(get_i64(in.data() + 2));
  out.last_value = std::bit_cast<double>(get_fixed64(in.data() + 10));
  // v1 knew no suppression: a firing alert had been notified.
  out.notified = version == kV1 ? out.phase == AlertPhase::firing : (flags & kNotified) != 0;
  out.within_since.reset();
  if (version < kV3) {
    // Before v3 no time of verdict was kept: the last one known for sure is the
    // state's last transition (one takes a verdict), and no wait had begun.
    out.verdict_at = out.since;
    return true;
  }
  out.verdict_at = from_epoch_ms(get_i64(in.data() + 19));
  if ((flags & kWithin) != 0) out.within_since = from_epoch_ms(get_i64(in.data() + 27));
  return true;
}

// ---- PartitionMeta

namespace {
// v3: the digests' progress after v2's fields (see encode).
constexpr std::uint8_t kMetaV3 = 3;
// A digest name longer than this is no name config/ would take: corruption.
constexpr std::uint64_t kMaxDigestName = 4096;
}  // namespace

// v1: version and four fixed 8-byte fields, 33 bytes (written while there is no
// chain and no epoch: what earlier releases wrote). v2: v1's fields, then the
// epoch counter (u64), a flag byte (bit 0: a chain head follows) and, when set,
// the head: writer (16 bytes), epoch, seq (u64), offset, base (i64): 42 or 90 bytes.
// v3 (only when digests have progress): v2's layout with version 3, then the
// digests: a varint count, then per digest a varint length, the name and its
// time (i64 ms).
void encode(std::string& out, const PartitionMeta& m) {
  const bool v3 = !m.digests.empty();
  const bool v2 = v3 || m.chain.has_value() || m.epoch != 0;
  out.push_back(static_cast<char>(v3 ? kMetaV3 : v2 ? kV2 : kV1));
  put_i64(out, m.position.value());
  put_i64(out, epoch_ms(m.max_event_time));
  put_i64(out, epoch_ms(m.last_evaluated));
  put_fixed64(out, m.next_outbox_seq);
  if (!v2) return;
  put_fixed64(out, m.epoch);
  out.push_back(static_cast<char>(m.chain ? 1 : 0));
  if (m.chain) {
    const auto& h = *m.chain;
    out.append(reinterpret_cast<const char*>(h.id.writer.data()), h.id.writer.size());
    put_fixed64(out, h.id.epoch);
    put_fixed64(out, h.id.seq);
    put_i64(out, h.offset);
    put_i64(out, h.base);
  }
  if (!v3) return;
  put_varint(out, m.digests.size());
  for (const auto& [name, through] : m.digests) {
    put_prefixed(out, name);
    put_i64(out, epoch_ms(through));
  }
}

namespace {
bool decode_digests(std::string_view in, std::map<std::string, TimePoint, std::less<>>& out) {
  std::uint64_t n = 0;
  if (!get_varint(in, n) || n > in.size()) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    std::uint64_t len = 0;
    if (!get_varint(in, len) || len > kMaxDigestName || in.size() < len + 8) return false;
    std::string name(in.substr(0, len));
    const auto through = from_epoch_ms(get_i64(in.data() + len));
    in.remove_prefix(len + 8);
    if (!out.emplace(std::move(name), through).second) return false;  // twice: corrupt
  }
  return in.empty();
}
}  // namespace

bool decode(std::string_view in, PartitionMeta& out) {
  if (in.size() < 33) return false;
  const auto version = static_cast<std::uint8_t>(in[0]);
  if (version == kV1 ? in.size() != 33 : version != kV2 && version != kMetaV3) return false;
  out.position = Offset{get_i64(in.data() + 1)};
  out.max_event_time = from_epoch_ms(get_i64(in.data() + 9));
  out.last_evaluated = from_epoch_ms(get_i64(in.data() + 17));
  out.next_outbox_seq = get_fixed64(in.data() + 25);
  out.epoch = 0;
  out.chain.reset();
  out.digests.clear();
  if (version == kV1) return true;
  if (in.size() < 42) return false;
  out.epoch = get_fixed64(in.data() + 33);
  const auto flags = static_cast<std::uint8_t>(in[41]);
  std::size_t end = 42;
  if (flags == 1) {
    if (in.size() < 90) return false;
    ChainHead h;
    std::memcpy(h.id.writer.data(), in.data() + 42, h.id.writer.size());
    h.id.epoch = get_fixed64(in.data() + 58);
    h.id.seq = get_fixed64(in.data() + 66);
    h.offset = get_i64(in.data() + 74);
    h.base = get_i64(in.data() + 82);
    out.chain = h;
    end = 90;
  } else if (flags != 0) {
    return false;
  }
  if (version == kV2) return in.size() == end;
  return decode_digests(in.substr(end), out.digests);
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
  for (const auto& s : sinks) put_prefixed(out, s);
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
    std::string_view sink;
    if (!get_prefixed(in, sink)) return false;
    sinks.emplace_back(sink);
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
    // oldest + delta must fit in an int64. Both sums are done modulo 2^64, where
    // they are exact: max - oldest is in [0, 2^64 - 1] for any oldest (in signed
    // arithmetic it overflows when oldest < 0), and so is the result.
    const auto room = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) -
                      static_cast<std::uint64_t>(oldest);
    if (!get_varint(in, delta) || in.size() < 8 || delta > room) return false;
    const auto at = static_cast<std::int64_t>(static_cast<std::uint64_t>(oldest) + delta);
    out.push_back(SeenId{from_epoch_ms(at), get_fixed64(in.data())});
    in.remove_prefix(8);
  }
  return in.empty();
}

}  // namespace kilter::storage::codec

#include "storage/portable.h"

#include <fmt/format.h>

#include "common/varint.h"
#include "storage/codec_internal.h"
#include "storage/keys.h"

namespace kilter::storage::portable {

using codec::internal::get_prefixed;
using codec::internal::put_prefixed;

namespace {

Error bad(std::size_t op, std::string_view why) {
  return Error{fmt::format("changelog body: op {}: {}", op, why), Errc::corruption};
}

}  // namespace

void BodyBuilder::begin(std::string& out, std::uint8_t format) {
  out.clear();
  out.push_back(static_cast<char>(format));
  out.append(4, '\0');
  count_ = 0;
}

void BodyBuilder::add(std::string& out, Family f, OpKind k, std::string_view key,
                      std::string_view value) {
  out.push_back(
      static_cast<char>(static_cast<std::uint8_t>(f) << 2 | static_cast<std::uint8_t>(k)));
  put_prefixed(out, key);
  if (k != OpKind::del) put_prefixed(out, value);
  ++count_;
}

void BodyBuilder::finish(std::string& out) const {
  for (int i = 0; i < 4; ++i)
    out[1 + static_cast<std::size_t>(i)] = static_cast<char>(count_ >> (8 * i));
}

Result<void> BodyReader::check(std::string_view body, std::uint8_t format) {
  ops_.clear();
  if (body.size() < kHeaderBytes) return bad(0, "shorter than its header");
  if (static_cast<std::uint8_t>(body[0]) != format)
    return bad(0,
               fmt::format("format {} where {} was expected", static_cast<unsigned>(body[0] & 0xff),
                           static_cast<unsigned>(format)));
  std::uint32_t count = 0;
  for (int i = 3; i >= 0; --i)
    count = (count << 8) | static_cast<unsigned char>(body[1 + static_cast<std::size_t>(i)]);
  std::string_view in = body.substr(kHeaderBytes);
  // Each op takes at least 3 bytes: a hostile count cannot make us reserve much.
  if (count > in.size() / 3 + 1) return bad(0, "op count larger than the body");
  ops_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (in.empty()) return bad(i, "truncated");
    const auto tag = static_cast<std::uint8_t>(in[0]);
    in.remove_prefix(1);
    const auto fam = static_cast<std::uint8_t>(tag >> 2);
    const auto kind = static_cast<std::uint8_t>(tag & 3);
    if (fam == 0 || fam >= kFamilies) return bad(i, "unknown column family");
    if (kind > 2) return bad(i, "unknown operation");
    Op op{static_cast<Family>(fam), static_cast<OpKind>(kind), {}, {}};
    if (format == kChunkV1 && op.kind != OpKind::put) return bad(i, "a chunk holds only puts");
    if (op.kind == OpKind::merge && op.family != Family::buckets &&
        op.family != Family::post_details)
      return bad(i, "merge into a family without a merge operator");
    if (!get_prefixed(in, op.key)) return bad(i, "truncated key");
    if (op.kind != OpKind::del && !get_prefixed(in, op.value)) return bad(i, "truncated value");
    if (!valid_key(op.family, op.key)) return bad(i, "malformed key");
    if (op.kind != OpKind::del && !valid_value(op.family, op.kind, op.value))
      return bad(i, "malformed value");
    ops_.push_back(op);
  }
  if (!in.empty()) return bad(count, "bytes after the last op");
  return ok();
}

bool BodyReader::valid_key(Family f, std::string_view key) {
  TimePoint t;
  std::uint64_t u = 0;
  switch (f) {
    case Family::buckets:  // account, day
      return keys::skip_account(key) && keys::read_time(key, t) && key.empty();
    case Family::posts:  // post id
      return true;
    case Family::post_details:  // account, time, post id
      return keys::skip_account(key) && keys::read_time(key, t);
    case Family::seen:  // newest time, position
      return keys::read_time(key, t) && keys::read_u64(key, u) && key.empty();
    case Family::alerts:  // account, rule
      return keys::skip_account(key);
    case Family::outbox:  // seq
      return keys::read_u64(key, u) && key.empty();
    case Family::meta:
    case Family::retention:
      return key.empty();
  }
  return false;
}

bool BodyReader::valid_value(Family f, OpKind k, std::string_view v) {
  switch (f) {
    case Family::buckets:
      return codec::decode_row(v, row_);
    case Family::posts: {
      TimePoint t;
      return codec::decode_post_ts(v, t);
    }
    case Family::post_details: {
      bool full = false;
      std::uint64_t e = 0;
      if (!codec::decode_detail_kind(v, full, e)) return false;
      // An engagement delta stands alone only as a merge operand (or a merged
      // value with no record under it, which a chunk carries as a put).
      (void)k;
      return !full || codec::decode(v, detail_);
    }
    case Family::seen:
      seen_.clear();
      return codec::decode_seen_ids(v, seen_);
    case Family::alerts: {
      AlertState s;
      return codec::decode(v, s);
    }
    case Family::outbox: {
      std::string_view record;
      bool all = false;
      return codec::decode_outbox(v, record, sinks_, all);
    }
    case Family::meta: {
      PartitionMeta m;
      return codec::decode(v, m);
    }
    case Family::retention: {
      codec::Cutoffs c;
      return codec::decode(v, c);
    }
  }
  return false;
}

}  // namespace kilter::storage::portable

#include "pipeline/ingest/decoder.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

#include "common/time.h"
#include "pipeline/ingest/decoder_json.h"

// How the on-demand API is made strict.
//
// simdjson's on-demand front end only indexes the structural characters up front
// (stage 1: quotes, brackets, commas, colons, UTF-8 validity) and parses a value
// when it is asked for. A value that is never asked for is skipped by bracket
// counting, so garbage in it (`tru`, `01`, `"\q"`) would go unnoticed, and the
// document is not required to end after the root object. The decoder therefore:
//   - reads every field of the root object, known or not, and walks every value
//     it does not need down to its scalars (validate()), parsing each scalar;
//   - checks that no token follows the root object;
//   - records semantic problems (wrong type, unknown action...) while it reads
//     and reports them only after the whole document was found well-formed, so
//     invalid_json always wins over the other reasons.
// Stage 1 itself rejects invalid UTF-8, unclosed strings and unescaped control
// characters in strings. What is not checked: a root that is not an object
// (`[1,2`, `42`) is reported as not_an_object without reading the rest of it.
// Values nested deeper than kMaxDepth are refused as invalid_json, which bounds
// the recursion of validate() (simdjson's on-demand API does not limit depth).

namespace kilter::pipeline {
namespace {

namespace od = simdjson::ondemand;
using json_check::is_ws;
using json_check::json_number_syntax;
using json_check::validate;
using simdjson::error_code;

// Inclusive range of timestamps that RFC 3339 can spell: 0000-01-01 .. 9999-12-31.
constexpr std::int64_t kMinEpochMs = -62'167'219'200'000;
constexpr std::int64_t kMaxEpochMs = 253'402'300'799'999;

constexpr std::array<std::string_view, kBadInputReasons> kReasonNames = {
    "empty",         "oversized",     "invalid_json", "invalid_utf8",   "not_an_object",
    "missing_field", "wrong_type",    "unknown_type", "unknown_action", "unknown_category",
    "unknown_kind",  "bad_timestamp", "bad_value",    "duplicate_key",  "future_timestamp"};

enum class Key : std::uint8_t {
  // clang-format off
  type, id, account, ts, post_id, text, lang, kind, category,
  hashtags, mentions, links, action, count, followers, unknown
  // clang-format on
};
constexpr std::size_t kKeys = static_cast<std::size_t>(Key::unknown);
constexpr std::array<std::string_view, kKeys> kKeyNames = {
    "type",     "id",       "account",  "ts",    "post_id", "text",  "lang",     "kind",
    "category", "hashtags", "mentions", "links", "action",  "count", "followers"};

Key key_of(std::string_view k) {
  for (std::size_t i = 0; i < kKeys; ++i)
    if (kKeyNames[i] == k) return static_cast<Key>(i);
  return Key::unknown;
}

// The keys of the contract are short and never escaped, so they are read in place;
// a key with an escape, or too long to be ours, goes through unescaped_key(),
// which also checks its escapes. Stage 1 guarantees a closing quote in the input.
constexpr std::size_t kLongestKey = 9;
error_code read_key(od::field& f, std::string_view& key) {
  const char* raw = f.key().raw();
  for (std::size_t i = 0; i <= kLongestKey; ++i) {
    if (raw[i] == '"') {
      key = {raw, i};
      return simdjson::SUCCESS;
    }
    if (raw[i] == '\\') break;
  }
  return f.unescaped_key().get(key);
}

BadInput reason_of(error_code e) {
  switch (e) {
    case simdjson::UTF8_ERROR:
      return BadInput::invalid_utf8;
    case simdjson::CAPACITY:
      return BadInput::oversized;
    default:
      return BadInput::invalid_json;
  }
}

enum class Status : std::uint8_t { absent, ok, failed };
struct FieldState {
  Status status = Status::absent;
  BadInput reason = BadInput::empty;
  bool seen = false;  // the key was read (a second one is a duplicate)
};

void fail(FieldState& f, BadInput r) {
  f.status = Status::failed;
  f.reason = r;
}

// A number read from a known field. Kept at 16 bytes so that it comes back in
// registers: the hot path is sensitive to store-forwarding stalls.
struct Number {
  enum Kind : std::uint8_t { int64, uint64, other } kind = other;  // other: fraction, huge
  std::uint64_t bits = 0;
};

// The readers below report the value through their return and a structural
// (simdjson) error through `err`; a problem with the field itself goes to `f`.

// A string: f becomes ok; null on an optional field counts as absent; anything
// else is a wrong type.
std::string_view read_string(od::value& v, FieldState& f, bool optional, error_code& err) {
  od::json_type t;
  if ((err = v.type().get(t))) return {};
  if (t == od::json_type::string) {
    std::string_view s;
    if ((err = v.get_string().get(s))) return {};
    f.status = Status::ok;
    return s;
  }
  if (t != od::json_type::null || !optional) fail(f, BadInput::wrong_type);
  err = validate(v, 1);
  return {};
}

Number read_number(od::value& v, FieldState& f, bool optional, error_code& err) {
  od::json_type t;
  if ((err = v.type().get(t))) return {};
  if (t != od::json_type::number) {
    if (t != od::json_type::null || !optional) fail(f, BadInput::wrong_type);
    err = validate(v, 1);
    return {};
  }
  f.status = Status::ok;
  od::number num;
  if (v.get_number().get(num) != simdjson::SUCCESS) {
    if (!json_number_syntax(v.raw_json_token())) err = simdjson::NUMBER_ERROR;
    return {};
  }
  if (num.is_int64()) return {Number::int64, static_cast<std::uint64_t>(num.get_int64())};
  if (num.is_uint64()) return {Number::uint64, num.get_uint64()};
  return {};
}

error_code read_strings(od::value& v, FieldState& f, std::vector<std::string_view>& out) {
  out.clear();
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  if (t != od::json_type::array) {
    if (t != od::json_type::null) fail(f, BadInput::wrong_type);
    return validate(v, 1);
  }
  f.status = Status::ok;
  od::array a;
  SIMDJSON_TRY(v.get_array().get(a));
  for (auto r : a) {
    SIMDJSON_TRY(r.error());
    od::value&& e = std::move(r).value_unsafe();
    SIMDJSON_TRY(e.type().get(t));
    if (t == od::json_type::string) {
      std::string_view s;
      SIMDJSON_TRY(e.get_string().get(s));
      out.push_back(s);
    } else {
      fail(f, BadInput::wrong_type);
      SIMDJSON_TRY(validate(e, 2));
    }
  }
  return simdjson::SUCCESS;
}

template <class T>
void parse_enum(std::string_view s, FieldState& f, std::optional<T> (*parse)(std::string_view),
                BadInput unknown, T& out) {
  if (f.status != Status::ok) return;
  if (auto x = parse(s))
    out = *x;
  else
    fail(f, unknown);
}

std::optional<EventType> parse_event_type(std::string_view s) {
  if (s == "post") return EventType::post;
  if (s == "engagement") return EventType::engagement;
  if (s == "followers") return EventType::followers;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(BadInput r) {
  auto i = static_cast<std::size_t>(r);
  return i < kReasonNames.size() ? kReasonNames[i] : std::string_view("unknown");
}

struct Decoder::Impl {
  explicit Impl(std::size_t max) : max_bytes(max), parser(max) {
    for (auto* v : {&hashtags, &mentions, &links}) v->reserve(16);
  }

  std::size_t max_bytes;
  od::parser parser;
  std::unique_ptr<char[]> copy;
  std::size_t copy_capacity = 0;
  std::vector<std::string_view> hashtags, mentions, links;

  // Per-decode state.
  std::array<FieldState, kKeys> fields{};
  Key duplicate = Key::unknown;  // the first field given twice
  EventType type = EventType::post;

  DecodeOutcome run(std::string_view input, std::size_t capacity, Event& out);
  error_code read_field(Key key, od::value& v, Event& out);
  DecodeOutcome verdict(Event& out);
};

error_code Decoder::Impl::read_field(Key key, od::value& v, Event& out) {
  if (key == Key::unknown) return validate(v, 1);
  // A repeated field is refused (duplicate_key) rather than resolved: which copy
  // wins differs between JSON readers, so a producer and Kilter could read two
  // different events. Its value is still checked for being well-formed.
  // (A flag in the field's own state: one bit set shared by every field would
  // chain each field's read on the previous field's store.)
  auto& f = fields[static_cast<std::size_t>(key)];
  if (f.seen) {
    if (duplicate == Key::unknown) duplicate = key;
    return validate(v, 1);
  }
  f.seen = true;
  error_code err = simdjson::SUCCESS;
  auto non_empty = [&](std::string_view s) {
    if (f.status == Status::ok && s.empty()) fail(f, BadInput::bad_value);
    return s;
  };
  switch (key) {
    case Key::type:
      parse_enum(read_string(v, f, false, err), f, parse_event_type, BadInput::unknown_type, type);
      break;
    case Key::id:
      out.id = non_empty(read_string(v, f, false, err));
      break;
    case Key::account:
      out.account = non_empty(read_string(v, f, false, err));
      break;
    case Key::post_id:
      out.post_id = non_empty(read_string(v, f, false, err));
      break;
    case Key::text:
      out.text = read_string(v, f, true, err);
      break;
    case Key::lang:
      out.lang = read_string(v, f, true, err);
      break;
    case Key::kind:
      parse_enum(read_string(v, f, true, err), f, parse_post_kind, BadInput::unknown_kind,
                 out.kind);
      break;
    case Key::category: {
      Category c{};
      parse_enum(read_string(v, f, true, err), f, parse_category, BadInput::unknown_category, c);
      if (f.status == Status::ok) out.category = c;
      break;
    }
    case Key::action:
      parse_enum(read_string(v, f, false, err), f, parse_action, BadInput::unknown_action,
                 out.action);
      break;
    case Key::ts: {
      od::json_type t;
      SIMDJSON_TRY(v.type().get(t));
      if (t == od::json_type::string) {
        auto p = parse_rfc3339(read_string(v, f, false, err));
        if (p)
          out.ts = *p;
        else if (f.status == Status::ok)
          fail(f, BadInput::bad_timestamp);
        break;
      }
      Number n = read_number(v, f, false, err);
      auto ms = static_cast<std::int64_t>(n.bits);
      if (f.status != Status::ok) break;
      if (n.kind == Number::int64 && ms >= kMinEpochMs && ms <= kMaxEpochMs)
        out.ts = from_epoch_ms(ms);
      else
        fail(f, BadInput::bad_timestamp);
      break;
    }
    case Key::count: {
      Number n = read_number(v, f, true, err);
      if (f.status != Status::ok) break;
      if (n.kind == Number::int64 && static_cast<std::int64_t>(n.bits) > 0 &&
          n.bits <= kMaxEngagementCount)
        out.count = n.bits;
      else
        fail(f, BadInput::bad_value);
      break;
    }
    case Key::followers: {
      Number n = read_number(v, f, false, err);
      if (f.status != Status::ok) break;
      // 0 .. kMaxFollowers: a non-negative int64.
      if (n.kind == Number::int64 && static_cast<std::int64_t>(n.bits) >= 0)
        out.followers = static_cast<std::int64_t>(n.bits);
      else
        fail(f, BadInput::bad_value);
      break;
    }
    case Key::hashtags:
      return read_strings(v, f, hashtags);
    case Key::mentions:
      return read_strings(v, f, mentions);
    case Key::links:
      return read_strings(v, f, links);
    case Key::unknown:
      break;
  }
  return err;
}

// The first problem among the fields that matter for the event's type, in a fixed
// order so that the reason does not depend on the order of the fields.
DecodeOutcome Decoder::Impl::verdict(Event& out) {
  static constexpr std::array kCommon = {Key::type, Key::id, Key::account, Key::ts};
  static constexpr std::array kPost = {Key::post_id,  Key::text,     Key::lang,     Key::kind,
                                       Key::category, Key::hashtags, Key::mentions, Key::links};
  static constexpr std::array kEngagement = {Key::post_id, Key::action, Key::count};
  static constexpr std::array kFollowers = {Key::followers};
  static constexpr std::array<bool, kKeys> kRequired = {
      true, true,  true,  true,                               // type id account ts
      true, false, false, false, false, false, false, false,  // post_id .. links
      true, false, true};                                     // action count followers

  auto check = [&](auto const& keys) -> std::optional<DecodeOutcome> {
    for (Key k : keys) {
      auto i = static_cast<std::size_t>(k);
      const auto& f = fields[i];
      if (f.status == Status::failed) return DecodeOutcome{false, f.reason, kKeyNames[i]};
      if (f.status == Status::absent && kRequired[i])
        return DecodeOutcome{false, BadInput::missing_field, kKeyNames[i]};
    }
    return std::nullopt;
  };
  if (auto bad = check(kCommon)) return *bad;
  // Fields that do not belong to the type were read (and checked for being
  // well-formed JSON) but are not passed on. Assigned one by one: copying a whole
  // Event here would stall on store forwarding.
  switch (type) {
    case EventType::post:
      if (auto bad = check(kPost)) return *bad;
      out.action = Action::like;
      out.count = 1;
      out.followers = 0;
      out.hashtags = hashtags;
      out.mentions = mentions;
      out.links = links;
      break;
    case EventType::engagement:
      if (auto bad = check(kEngagement)) return *bad;
      out.text = out.lang = {};
      out.kind = PostKind::unknown;
      out.category.reset();
      out.followers = 0;
      break;
    case EventType::followers:
      if (auto bad = check(kFollowers)) return *bad;
      out.post_id = out.text = out.lang = {};
      out.kind = PostKind::unknown;
      out.category.reset();
      out.action = Action::like;
      out.count = 1;
      break;
  }
  out.type = type;
  return DecodeOutcome{true, BadInput::empty, {}};
}

DecodeOutcome Decoder::Impl::run(std::string_view input, std::size_t capacity, Event& out) {
  auto bad = [](BadInput r) { return DecodeOutcome{false, r, {}}; };
  if (input.empty()) return bad(BadInput::empty);
  if (input.size() > max_bytes) return bad(BadInput::oversized);
  if (std::all_of(input.begin(), input.end(), is_ws)) return bad(BadInput::empty);

  const char* data = input.data();
  if (capacity < input.size() + simdjson::SIMDJSON_PADDING) {
    std::size_t need = input.size() + simdjson::SIMDJSON_PADDING;
    if (copy_capacity < need) {
      copy_capacity = std::bit_ceil(std::max<std::size_t>(need, 4096));
      copy = std::make_unique_for_overwrite<char[]>(copy_capacity);
    }
    std::memcpy(copy.get(), input.data(), input.size());
    // The padding's content does not matter to simdjson; zeroing it keeps the
    // behaviour independent of what a previous, longer event left there.
    std::memset(copy.get() + input.size(), 0, simdjson::SIMDJSON_PADDING);
    data = copy.get();
    capacity = copy_capacity;
  }
  // Grow the parser in powers of two so that a warm-up with growing events
  // settles after a few allocations.
  if (parser.capacity() < input.size()) {
    std::size_t want =
        std::min(max_bytes, std::bit_ceil(std::max<std::size_t>(input.size(), 4096)));
    if (parser.allocate(want) != simdjson::SUCCESS) return bad(BadInput::oversized);
  }

  od::document doc;
  if (auto e = parser.iterate(data, input.size(), capacity).get(doc)) return bad(reason_of(e));
  od::json_type root_type;
  if (auto e = doc.type().get(root_type)) return bad(reason_of(e));
  if (root_type != od::json_type::object) return bad(BadInput::not_an_object);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return bad(reason_of(e));

  out = Event{};
  fields = {};
  duplicate = Key::unknown;
  type = EventType::post;
  hashtags.clear();
  mentions.clear();
  links.clear();
  for (auto r : obj) {
    if (auto e = r.error()) return bad(reason_of(e));
    // Used in place: copying the field costs a store-forwarding stall per field.
    od::field&& f = std::move(r).value_unsafe();
    std::string_view key;
    if (auto e = read_key(f, key)) return bad(reason_of(e));
    if (auto e = read_field(key_of(key), f.value(), out)) return bad(reason_of(e));
  }
  // Anything after the root object (a second document, stray brackets) leaves a
  // token behind; at the end current_location() reports OUT_OF_BOUNDS.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return bad(BadInput::invalid_json);
  if (duplicate != Key::unknown)
    return DecodeOutcome{false, BadInput::duplicate_key,
                         kKeyNames[static_cast<std::size_t>(duplicate)]};
  return verdict(out);
}

Decoder::Decoder(std::size_t max_event_bytes) : impl_(std::make_unique<Impl>(max_event_bytes)) {}
Decoder::~Decoder() = default;

DecodeOutcome Decoder::decode(std::string_view input, std::size_t capacity, Event& out) {
  DecodeOutcome r = impl_->run(input, capacity, out);
  if (!r.ok) out = Event{};
  return r;
}

std::size_t Decoder::padding() {
  return simdjson::SIMDJSON_PADDING;
}

}  // namespace kilter::pipeline

// Digest records (pipeline/model/digest.h) built from fuzz bytes, and stored
// outbox lines from raw bytes. Built: 0 to 400 accounts in one run, strings that
// may be invalid UTF-8, hold quotes and control characters or run to kilobytes,
// numbers NaN, infinite or huge, counts up to 2^64-1, advice present or absent.
// Each record's JSON line must parse and read back (parse_digest_record) to the
// same line; the run's Slack and Teams bodies must parse and stay within Block
// Kit's and Teams' limits. Raw bytes (the whole input when it starts with '{', so
// real digest lines seed it; else what the builder left) go to record_type and
// parse_digest_record: an Error or a record, and a record read renders and
// reads back stably.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/time.h"
#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/model/digest.h"
#include "tests/fuzz/fuzz_input.h"

using namespace kilter;
using namespace kilter::pipeline;

namespace {

simdjson::dom::element parse_json(const std::string& s) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto err = parser.parse(s).get(doc);
  if (err) std::fprintf(stderr, "%s\n%.2000s\n", simdjson::error_message(err), s.c_str());
  FUZZ_CHECK(err == simdjson::SUCCESS);
  return doc;
}

// Characters (code points) of valid UTF-8: what Slack's limits count.
std::size_t chars(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The earliest and latest instants an event may carry (the decoder's bounds).
constexpr std::int64_t kMinMs = -62'167'219'200'000;
constexpr std::int64_t kMaxMs = 253'402'300'799'999;

// A string from the bytes: mostly valid UTF-8 (fuzz::Input::text), sometimes raw
// bytes (invalid UTF-8, NULs), sometimes kilobytes of one character, within a
// budget per input so that 400 accounts stay quick.
class Strings {
 public:
  explicit Strings(fuzz::Input& in) : in_(in) {}
  std::string operator()(std::size_t max) {
    const auto mode = in_.byte() % 16;
    if (mode == 0) {  // raw bytes
      std::string out;
      for (auto n = in_.byte() % (max + 1); n > 0 && !in_.empty(); --n)
        out.push_back(static_cast<char>(in_.byte()));
      return out;
    }
    if (mode == 1 && huge_left_ > 0) {  // huge
      static constexpr std::string_view kUnit[] = {"x", "\"", "\\", "\x01", "é", "😀", "&", "\xff"};
      const auto unit = kUnit[in_.byte() % (sizeof(kUnit) / sizeof(kUnit[0]))];
      std::size_t n = in_.byte();
      n = (n << 8 | in_.byte()) % 20000;
      n = std::min(n, huge_left_ / unit.size());
      huge_left_ -= n * unit.size();
      std::string out;
      for (; n > 0; --n) out += unit;
      return out;
    }
    return in_.text(max);
  }

 private:
  fuzz::Input& in_;
  std::size_t huge_left_ = 200'000;
};

std::optional<double> maybe(fuzz::Input& in) {
  if (in.flag()) return in.number();
  return std::nullopt;
}

// Counts up to 2^64-1, mostly small.
std::uint64_t count(fuzz::Input& in) {
  const auto shift = in.byte() % 64;
  return in.u64() >> shift;
}

TimePoint instant(fuzz::Input& in) {
  return from_epoch_ms(in.range(kMinMs, kMaxMs));
}

// RFC 3339 of t as local time at a whole-minute offset: what the digests write.
std::string local_text(TimePoint t, int offset_min) {
  std::string s = format_rfc3339(t + std::chrono::minutes(offset_min));
  if (parse_rfc3339(s) != t + std::chrono::minutes(offset_min) || s.back() != 'Z')
    return format_rfc3339(t);  // out of the years RFC 3339 can write: UTC
  s.pop_back();
  const int a = offset_min < 0 ? -offset_min : offset_min;
  s += fmt::format("{}{:02}:{:02}", offset_min < 0 ? '-' : '+', a / 60, a % 60);
  return s;
}

Advice advice(fuzz::Input& in, Strings& str) {
  Advice a;
  a.rule = str(24);
  a.metric = str(24);
  a.window = str(8);
  a.status = in.flag() ? (in.flag() ? "breach" : "close") : str(12);
  a.value = in.number();
  a.limit = maybe(in);
  a.posts_needed = count(in);
  for (int n = in.byte() % 5; n > 0; --n)
    a.of.push_back(static_cast<Category>(in.byte() % kCategories));
  a.leaving = count(in);
  if (in.flag()) a.within_by = instant(in);
  a.pace_per_day = maybe(in);
  a.text = str(300);
  return a;
}

DigestRecord record(fuzz::Input& in, Strings& str, const DigestRecord& run) {
  DigestRecord r = run;  // the run's digest, period and time zone, mostly
  if (in.byte() % 8 == 0) {
    r.timezone = str(32);
    r.from = instant(in);
    r.to = instant(in);
    const int offset = static_cast<int>(in.range(-18 * 60, 18 * 60));
    r.from_text = local_text(r.from, offset);
    r.to_text = local_text(r.to, offset);
  }
  r.account = str(48);
  if (r.account.empty()) r.account = "acme";  // records always name their account
  r.digest_id = fmt::format("{}/{}/{}", r.digest, r.account, r.to_text);
  r.profile = str(24);
  for (auto& p : r.posts) p = count(in);
  r.personal_share = maybe(in);
  r.promotional_share = maybe(in);
  for (auto& a : r.engagement) a = count(in);
  if (in.flag())
    for (auto& c : r.engagement_by_category)
      for (auto& a : c) a = count(in);
  if (in.flag())
    r.followers =
        DigestFollowers{in.range(INT64_MIN, INT64_MAX), in.range(INT64_MIN, INT64_MAX), maybe(in)};
  for (int n = in.byte() % 6; n > 0; --n) {
    TopPost p;
    p.post_id = str(24);
    p.category = static_cast<Category>(in.byte() % kCategories);
    p.engagement = in.number();
    p.confidence = in.number();
    for (int m = in.byte() % 4; m > 0; --m) p.matched.push_back(str(16));
    p.link = in.flag() ? "https://example.com/" + str(40) : str(40);
    r.top_posts.push_back(std::move(p));
  }
  static constexpr std::string_view kStatus[] = {"ok", "pending", "firing", "no_verdict"};
  for (int n = in.byte() % 6; n > 0; --n) {
    DigestRule rule;
    rule.rule = str(24);
    rule.metric = in.flag() ? (in.flag() ? "personal_share" : "promotional_share") : str(24);
    rule.window = str(8);
    rule.value = maybe(in);
    rule.min = maybe(in);
    rule.max = maybe(in);
    const auto s = in.byte();
    rule.status = s < 240 ? std::string(kStatus[s % 4]) : str(16);
    r.rules.push_back(std::move(rule));
  }
  for (int n = in.flag() ? 1 + in.byte() % 4 : 0; n > 0; --n) r.advice.push_back(advice(in, str));
  return r;
}

// Slack's Block Kit limits, in characters: 50 blocks; a header's text 150, a
// section's 3000, a context element's 2000 (10 elements); the message text 40,000.
void check_slack(const std::string& body) {
  auto doc = parse_json(body);
  std::string_view text;
  if (doc["text"].get_string().get(text) == simdjson::SUCCESS) FUZZ_CHECK(chars(text) <= 40000);
  simdjson::dom::array blocks;
  FUZZ_CHECK(doc["blocks"].get_array().get(blocks) == simdjson::SUCCESS);
  FUZZ_CHECK(blocks.size() <= 50);
  for (auto b : blocks) {
    std::string_view type;
    FUZZ_CHECK(b["type"].get_string().get(type) == simdjson::SUCCESS);
    if (type == "header" || type == "section") {
      FUZZ_CHECK(b["text"]["text"].get_string().get(text) == simdjson::SUCCESS);
      FUZZ_CHECK(chars(text) <= (type == "header" ? 150u : 3000u));
    } else if (type == "context") {
      simdjson::dom::array elements;
      FUZZ_CHECK(b["elements"].get_array().get(elements) == simdjson::SUCCESS);
      FUZZ_CHECK(elements.size() <= 10);
      for (auto e : elements) {
        FUZZ_CHECK(e["text"].get_string().get(text) == simdjson::SUCCESS);
        FUZZ_CHECK(chars(text) <= 2000);
      }
    }
  }
}

// Teams refuses webhook messages above about 28 KB.
void check_teams(const std::string& body) {
  (void)parse_json(body);
  FUZZ_CHECK(body.size() <= 28 * 1024);
}

void render(const std::vector<const DigestRecord*>& run,
            const channels::SlackOptions& slack_options) {
  auto slack = channels::slack_digest(run, slack_options);
  auto teams = channels::teams_digest(run, {});
  FUZZ_CHECK(slack.ok() == !run.empty() && teams.ok() == !run.empty());
  if (run.empty()) return;
  check_slack(*slack);
  check_teams(*teams);
}

// A stored outbox line: its type, and an Error or a record that reads back stably.
void stored(std::string_view bytes) {
  const auto type = record_type(bytes);
  FUZZ_CHECK(type == "digest" || type == "alert" || type == "unknown");
  auto d = parse_digest_record(bytes);
  if (!d.ok()) {
    FUZZ_CHECK(!d.error().message.empty());
    return;
  }
  FUZZ_CHECK(type == "digest");  // the outbox picks the reader by record_type
  const std::string json = to_json(*d);
  (void)parse_json(json);
  auto again = parse_digest_record(json);
  FUZZ_CHECK(again.ok() && to_json(*again) == json);
  (void)render_digest_line(*d);
  render({&*d}, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 0 && data[0] == '{') {
    stored(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
  }
  fuzz::Input in(data, size);
  // How many accounts the run has, first: mostly a few, up to 400.
  const auto b = in.byte();
  std::size_t accounts = b % 6;
  if (b < 8) {
    accounts = in.byte();
    accounts = (accounts << 8 | in.byte()) % 401;
  }
  Strings str(in);
  DigestRecord run;
  run.digest = str(32);
  if (run.digest.empty()) run.digest = "morning-review";
  run.timezone = str(32);
  run.to = instant(in);
  run.from =
      in.flag() ? instant(in) : std::max(run.to - std::chrono::hours(24), from_epoch_ms(kMinMs));
  const int offset = static_cast<int>(in.range(-18 * 60, 18 * 60));
  run.from_text = local_text(run.from, offset);
  run.to_text = local_text(run.to, offset);

  std::vector<DigestRecord> records;
  records.reserve(accounts);
  for (std::size_t i = 0; i < accounts; ++i) {
    records.push_back(record(in, str, run));
    const std::string json = to_json(records.back());
    (void)parse_json(json);
    FUZZ_CHECK(record_type(json) == "digest");
    auto back = parse_digest_record(json);
    if (!back.ok())
      std::fprintf(stderr, "%s\n%.2000s\n", back.error().message.c_str(), json.c_str());
    if (back.ok() && to_json(*back) != json)
      std::fprintf(stderr, "%s\n%s\n", json.c_str(), to_json(*back).c_str());
    FUZZ_CHECK(back.ok() && to_json(*back) == json);
    (void)render_digest_line(records.back());
  }
  std::vector<const DigestRecord*> views;
  for (const auto& r : records) views.push_back(&r);
  channels::SlackOptions o;
  o.channel = str(24);
  o.username = str(24);
  o.icon_emoji = str(24);
  render(views, o);

  // Whatever is left, as a stored entry.
  stored(in.rest());
  return 0;
}

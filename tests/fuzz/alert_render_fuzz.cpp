// Alert records built from fuzz bytes (any ids, summaries and terms in valid UTF-8;
// values NaN, infinite, huge, tiny; evidence.advice or none) and every rendering of them: the SPEC
// JSON record (the webhook body, signed), which must read back (parse_alert_record) to the same
// line, the log line, Slack, Teams and Alertmanager bodies through their sinks. Each JSON output
// must parse. The raw remaining bytes go to parse_alert_record as a stored entry: refused or read,
// never a crash, and what it reads renders and reads back stably.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/dispatcher.h"
#include "common/time.h"
#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/hmac.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/delivery/sink.h"
#include "pipeline/model/alert.h"
#include "tests/fuzz/fuzz_input.h"

using namespace kilter;
using namespace kilter::pipeline;

namespace {

void check_json(const std::string& s) {
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  FUZZ_CHECK(parser.parse(s).get(doc) == simdjson::SUCCESS);
}

// The earliest and latest instants an event may carry (the decoder's bounds).
constexpr std::int64_t kMinMs = -62'167'219'200'000;
constexpr std::int64_t kMaxMs = 253'402'300'799'999;

AlertRecord record(fuzz::Input& in, const std::string& account) {
  AlertRecord r;
  r.account = account;
  r.rule = in.text(24);
  if (r.rule.empty()) r.rule = "rule";
  r.metric = in.text(24);
  r.window = in.text(8);
  r.alert_id = account + "/" + r.rule + "/" + r.window;  // never empty
  r.status = in.flag() ? AlertStatus::firing : AlertStatus::resolved;
  r.value = in.number();
  if (in.flag()) r.min = in.number();
  if (in.flag()) r.max = in.number();
  r.starts_at = from_epoch_ms(in.range(kMinMs, kMaxMs));
  if (r.status == AlertStatus::resolved) r.ends_at = from_epoch_ms(in.range(kMinMs, kMaxMs));
  r.summary = in.text(120);
  if (r.summary.empty()) r.summary = "summary";  // records always say what happened
  r.profile = in.text(16);
  r.severity = in.text(16);
  r.campaign = in.text(16);
  auto& e = r.evidence;
  for (auto& p : e.posts) p = in.u64() >> (in.byte() % 64);
  for (auto& g : e.engagement) g = in.number();
  if (in.flag())
    e.followers = FollowerEvidence{in.range(INT64_MIN, INT64_MAX), in.range(INT64_MIN, INT64_MAX),
                                   from_epoch_ms(in.range(kMinMs, kMaxMs)),
                                   from_epoch_ms(in.range(kMinMs, kMaxMs))};
  if (in.flag()) {
    BaselineEvidence b{in.text(8), in.u64(), in.number(), {}};
    if (in.flag()) b.engagement_per_post = in.number();
    e.baseline = b;
  }
  for (int n = in.byte() % 8; n > 0; --n) {
    TopPost p;
    p.post_id = in.text(24);
    p.category = static_cast<Category>(in.byte() % kCategories);
    p.engagement = in.number();
    p.confidence = in.number();
    for (int m = in.byte() % 4; m > 0; --m) p.matched.push_back(in.text(16));
    p.link = in.flag() ? "https://example.com/" + in.text(40) : in.text(40);
    e.top_posts.push_back(std::move(p));
  }
  for (int n = in.byte() % 6; n > 0; --n) e.matched_terms.push_back(in.text(16));
  if (in.flag()) {  // evidence.advice (share and posts rules)
    Advice a;
    a.rule = in.flag() ? r.rule : in.text(24);
    a.metric = in.text(24);
    a.window = in.text(8);
    a.status = in.flag() ? "breach" : in.text(12);
    a.value = in.number();
    if (in.flag()) a.limit = in.number();
    a.posts_needed = in.u64() >> (in.byte() % 64);
    for (int n = in.byte() % 5; n > 0; --n)
      a.of.push_back(static_cast<Category>(in.byte() % kCategories));
    a.leaving = in.u64() >> (in.byte() % 64);
    if (in.flag()) a.within_by = from_epoch_ms(in.range(kMinMs, kMaxMs));
    if (in.flag()) a.pace_per_day = in.number();
    a.text = in.text(200);
    e.advice = std::move(a);
  }
  return r;
}

class CapturingClient final : public HttpClient {
 public:
  void send(OutboundRequest req, std::function<void(OutboundResponse)> done) override {
    sent.push_back(std::move(req));
    done(OutboundResponse{200, "", "", {}});
  }
  std::vector<OutboundRequest> sent;
};

// Delivers `records` through a sink of type `t`: the body must be JSON, and the
// sink must accept its own records.
void deliver(fuzz::Input& in, config::SinkType t, const std::vector<AlertRef>& records) {
  SimulatedDispatcher dispatcher;
  CapturingClient client;
  config::SinkConfig c;
  c.options = config::default_sink_options(t);
  c.name = std::string(config::to_string(t));
  config::HttpSinkOptions http;
  http.url = "http://127.0.0.1:9/hook";
  const std::string secret = in.flag() ? in.text(16) : "";
  const std::string channel = in.text(12), username = in.text(12), icon_emoji = in.text(12);
  const std::size_t max_posts = in.byte() % 6;
  const std::string generator_url = in.flag() ? "http://127.0.0.1:9464" : "";
  if (auto* o = std::get_if<config::WebhookSinkOptions>(&c.options)) {
    o->http = http;
    o->secret = secret;
  } else if (auto* o = std::get_if<config::SlackSinkOptions>(&c.options)) {
    *o = {http, channel, username, icon_emoji, max_posts};
  } else if (auto* o = std::get_if<config::TeamsSinkOptions>(&c.options)) {
    *o = {http, max_posts};
  } else if (auto* o = std::get_if<config::AlertmanagerSinkOptions>(&c.options)) {
    o->http = http;
    o->generator_url = generator_url;
  }
  auto sink = make_sink(c, SinkContext{&client, &dispatcher, {}});
  FUZZ_CHECK(sink.ok());
  std::vector<AlertRef> batch = records;
  if (!(*sink)->groups()) batch.resize(1);
  bool done = false;
  (*sink)->deliver(batch, [&](SinkResult r) {
    if (!r.ok) std::fprintf(stderr, "%s: %s\n", c.name.c_str(), r.error.c_str());
    FUZZ_CHECK(r.ok);
    done = true;
  });
  FUZZ_CHECK(done && client.sent.size() == 1);
  check_json(client.sent[0].body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  std::string account = in.text(32);
  if (account.empty()) account = "acme";  // records always name their account
  std::vector<AlertRef> records;
  std::vector<const AlertRecord*> views;
  for (int n = 1 + in.byte() % 3; n > 0; --n) {
    records.push_back(make_outbound(record(in, account)));
    const std::string& json = records.back()->json;
    check_json(json);
    auto back = parse_alert_record(json);
    if (!back.ok()) std::fprintf(stderr, "%s\n%s\n", back.error().message.c_str(), json.c_str());
    FUZZ_CHECK(back.ok() && to_json(*back) == json);
    (void)render_alert_line(records.back()->record);
    auto mac = hmac_sha256_hex(records.back()->record.summary, json);
    FUZZ_CHECK(mac.size() == 64);
  }
  for (const auto& r : records) views.push_back(&r->record);

  auto slack = channels::slack_message(views, {});
  if (!slack.ok())
    std::fprintf(stderr, "%s\n%s\n", slack.error().message.c_str(), records[0]->json.c_str());
  FUZZ_CHECK(slack.ok());
  check_json(*slack);
  auto teams = channels::teams_message(views, {});
  if (!teams.ok())
    std::fprintf(stderr, "%s\n%s\n", teams.error().message.c_str(), records[0]->json.c_str());
  FUZZ_CHECK(teams.ok());
  check_json(*teams);
  auto am = channels::alertmanager_alerts(views, {});
  if (!am.ok())
    std::fprintf(stderr, "%s\n%s\n", am.error().message.c_str(), records[0]->json.c_str());
  FUZZ_CHECK(am.ok());
  check_json(*am);
  for (auto t : {config::SinkType::webhook, config::SinkType::slack, config::SinkType::teams,
                 config::SinkType::alertmanager})
    deliver(in, t, records);

  // Whatever is left, as a stored entry: refused or read, never a crash.
  auto odd = parse_alert_record(in.rest());
  if (!odd.ok()) return 0;
  const std::string json = to_json(*odd);
  check_json(json);
  auto again = parse_alert_record(json);
  FUZZ_CHECK(again.ok() && to_json(*again) == json);
  const AlertRecord* one[] = {&*odd};
  if (auto s = channels::slack_message(one, {}); s.ok()) check_json(*s);
  if (auto s = channels::teams_message(one, {}); s.ok()) check_json(*s);
  if (auto s = channels::alertmanager_alerts(one, {}); s.ok()) check_json(*s);
  (void)render_alert_line(*odd);
  return 0;
}

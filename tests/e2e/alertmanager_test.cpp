// kilterd pushes its alerts to a real Alertmanager (Debian's
// prometheus-alertmanager, installed by ./dev setup, started here on loopback):
// a firing alert is active there, a resolved one is gone.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <signal.h>

#include "tests/e2e/alertmanager.h"

namespace kilter::testing {
namespace {

std::string post(const std::string& id, const std::string& ts, const std::string& category) {
  return R"({"type":"post","id":")" + id + R"(","account":"acme","ts":")" + ts +
         R"(","post_id":"p-)" + id + R"(","text":"x","category":")" + category + "\"}\n";
}

TEST(Alertmanager, FiringAlertsAreActiveThereAndResolvedOnesGone) {
  if (::access(kAlertmanager, X_OK) != 0)
    GTEST_SKIP() << "prometheus-alertmanager is not installed (./dev setup installs it)";
  TempDir dir;
  write_file(dir / "am.yml",
             "route: {receiver: nowhere, group_wait: 1s}\nreceivers: [{name: nowhere}]\n");
  LocalAlertmanager am(dir.path(), dir / "am.yml");
  ASSERT_TRUE(am.ready()) << am.log();
  const int port = am.port();

  // acme goes personal (on-topic fires and stays firing) and chatty for an
  // afternoon (chatter fires, then resolves the next day).
  std::string events;
  const char* hours[] = {"09", "10", "11", "12", "13"};
  for (int i = 0; i < 5; ++i)
    events += post(std::to_string(i), std::string("2026-11-20T") + hours[i] + ":00:00Z",
                   i % 2 == 0 ? "personal" : "professional");
  events += post("5", "2026-11-20T14:00:00Z", "personal");
  events +=
      R"({"type":"followers","id":"f","account":"acme","ts":"2026-11-21T16:00:00Z","followers":9})"
      "\n";
  write_file(dir / "events.ndjson", events);
  write_file(
      dir / "kilter.yaml",
      "source: {file: events.ndjson}\n"
      "storage: {path: state, bucket: 1h, retention: 10d}\n"
      "pipeline: {allowed_lateness: 0s}\n"
      "profiles:\n  brand:\n    rules:\n"
      "      - {name: on-topic, metric: personal_share, window: 7d, max: 0.25, min_posts: 2}\n"
      "      - {name: chatter, metric: posts, window: 1d, max: 4}\n"
      "default_profile: brand\n"
      "sinks:\n"
      "  - {type: file, path: alerts.ndjson}\n"
      "  - {type: alertmanager, url: \"http://127.0.0.1:" +
          std::to_string(port) + "\", labels: {team: social}}\n");
  auto exit = run({KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string()}, dir / "out",
                  dir / "err");
  ASSERT_EQ(exit.code, 0) << read_file(dir / "err");
  auto records = read_lines(dir / "alerts.ndjson");
  ASSERT_EQ(records.size(), 3u) << read_file(dir / "alerts.ndjson");

  // What Alertmanager holds as active now.
  std::string body;
  simdjson::dom::parser parser;
  auto active = [&](const std::string& alertname) {
    body = http_get(port, "/api/v2/alerts?active=true").body;
    simdjson::dom::array alerts;
    if (parser.parse(body).get(alerts)) return false;
    for (auto a : alerts) {
      std::string_view name, account, team, state;
      if (a["labels"]["alertname"].get(name) || a["labels"]["account"].get(account)) continue;
      if (name != alertname || account != "acme") continue;
      if (a["labels"]["team"].get(team) || team != "social") continue;
      if (a["status"]["state"].get(state)) continue;
      return state == "active";
    }
    return false;
  };
  ASSERT_TRUE(eventually([&] { return active("on-topic"); }, std::chrono::seconds(20))) << body;
  EXPECT_FALSE(active("chatter")) << "resolved with an endsAt in the past: " << body;
  EXPECT_NE(body.find("\"summary\":\"acme: personal share"), std::string::npos) << body;
}

}  // namespace
}  // namespace kilter::testing

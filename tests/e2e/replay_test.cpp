// End to end: the real kilterd replays a small file whose alerts were worked out
// by hand (see the comments next to each event).
#include <gtest/gtest.h>

#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

// Rules on a 1-day window with 1-hour buckets and no allowed lateness, so every
// event that moves to a new hour evaluates the window ending at that hour.
constexpr const char* kConfig = R"(
source: {file: events.ndjson}
storage: {path: state, bucket: 1h, retention: 10d}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: on-topic, metric: personal_share, window: 1d, max: 0.25, min_posts: 4}
      - {name: chatter, metric: posts, window: 1d, max: 5}
accounts:
  - {id: acme, profile: brand}
default_profile: ""
sinks:
  - {type: file, path: alerts.ndjson}
)";

std::string post(const std::string& id, const std::string& ts, const std::string& category) {
  return R"({"type":"post","id":")" + id + R"(","account":"acme","ts":")" + ts +
         R"(","post_id":"p-)" + id + R"(","text":"x","category":")" + category + "\"}\n";
}

std::string events() {
  std::string e;
  // Evaluations below are at the hour each event opens; the 1d window ends there.
  e += post("1", "2026-11-20T09:00:00Z", "professional");
  e += post("2", "2026-11-20T10:00:00Z", "professional");  // @10: 1 post, no verdict
  e +=
      R"({"type":"engagement","id":"g1","account":"acme","ts":"2026-11-20T10:30:00Z","post_id":"p-1","action":"like","count":7})"
      "\n";
  e +=
      R"({"type":"engagement","id":"g2","account":"acme","ts":"2026-11-20T10:31:00Z","post_id":"nope","action":"reply"})"
      "\n";                                                // unattributed, still counted
  e += post("3", "2026-11-20T11:00:00Z", "personal");      // @11: 2 posts
  e += post("4", "2026-11-20T12:00:00Z", "professional");  // @12: 3 posts
  e += post("5", "2026-11-20T13:00:00Z", "personal");      // @13: 4 posts, 1/4 = 25%, not > 25%
  e += post("6", "2026-11-20T14:00:00Z", "personal");      // @14: 5 posts, 2/5 = 40% -> FIRING
  e += post("6", "2026-11-20T14:00:00Z", "personal");      // redelivered copy: ignored
  e += "{not json\n";                                      // bad input: counted, skipped
  e += post("7", "2026-11-20T15:00:00Z", "professional");  // @15: 6 posts > 5 -> chatter FIRING
  e += post("late", "2026-11-20T10:15:00Z", "personal");   // later than the watermark: late
  // Next day 16:00: the window [11-20 16:00, 11-21 16:00) holds no post: chatter
  // resolves (0 <= 5); on-topic has no verdict (0 < min_posts) and stays firing.
  e +=
      R"({"type":"followers","id":"f1","account":"acme","ts":"2026-11-21T16:00:00Z","followers":1200})"
      "\n";
  return e;
}

TEST(Replay, EmitsTheAlertsWorkedOutByHand) {
  TempDir dir;
  write_file(dir / "kilter.yaml", kConfig);
  write_file(dir / "events.ndjson", events());
  auto exit = run({KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string()}, dir / "out",
                  dir / "err");
  ASSERT_FALSE(exit.signaled);
  ASSERT_EQ(exit.code, 0) << read_file(dir / "err");

  auto alerts = read_lines(dir / "alerts.ndjson");
  ASSERT_EQ(alerts.size(), 3u) << read_file(dir / "alerts.ndjson");
  EXPECT_EQ(json_field(alerts[0], "alert_id"), "acme/personal_share/1d");
  EXPECT_EQ(json_field(alerts[0], "status"), "firing");
  EXPECT_EQ(json_field(alerts[0], "rule"), "on-topic");
  EXPECT_EQ(json_field(alerts[0], "value"), "0.4");
  EXPECT_EQ(json_field(alerts[0], "starts_at"), "2026-11-20T14:00:00Z");
  EXPECT_EQ(json_field(alerts[0], "ends_at"), "null");
  EXPECT_NE(alerts[0].find(R"("posts":{"personal":2,"professional":3,"promotional":0)"),
            std::string::npos)
      << alerts[0];

  EXPECT_EQ(json_field(alerts[1], "alert_id"), "acme/posts/1d");
  EXPECT_EQ(json_field(alerts[1], "status"), "firing");
  EXPECT_EQ(json_field(alerts[1], "value"), "6");
  EXPECT_EQ(json_field(alerts[1], "starts_at"), "2026-11-20T15:00:00Z");

  EXPECT_EQ(json_field(alerts[2], "alert_id"), "acme/posts/1d");
  EXPECT_EQ(json_field(alerts[2], "status"), "resolved");
  EXPECT_EQ(json_field(alerts[2], "starts_at"), "2026-11-20T15:00:00Z");
  EXPECT_EQ(json_field(alerts[2], "ends_at"), "2026-11-21T16:00:00Z");

  // The stored figures: 7 distinct posts, engagement attributed and not.
  auto inspect = run({KILTERD_BIN, "inspect", "--config", (dir / "kilter.yaml").string()},
                     dir / "inspect", dir / "err");
  ASSERT_EQ(inspect.code, 0) << read_file(dir / "err");
  auto figures = read_file(dir / "inspect");
  EXPECT_NE(
      figures.find(
          R"("totals":{"posts":{"personal":3,"professional":4,"promotional":0,"unclassified":0})"),
      std::string::npos)
      << figures;
  EXPECT_NE(figures.find(R"("professional":{"reply":0,"repost":0,"quote":0,"like":7)"),
            std::string::npos)
      << figures;
  EXPECT_NE(figures.find(R"("unattributed":{"reply":1,)"), std::string::npos) << figures;
  // Summary line: ok 11 (7 posts + 2 engagements + 1 followers + ... ), bad 1, late 1, dup 1.
  auto log = read_file(dir / "err");
  EXPECT_NE(log.find("ok 10, bad 1, late 1, duplicate 1"), std::string::npos) << log;
}

TEST(Replay, RunningAgainOnTheSameStateAddsNothing) {
  TempDir dir;
  write_file(dir / "kilter.yaml", kConfig);
  write_file(dir / "events.ndjson", events());
  auto cmd =
      std::vector<std::string>{KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string()};
  ASSERT_EQ(run(cmd, dir / "out", dir / "err").code, 0);
  auto first = read_lines(dir / "alerts.ndjson");
  ASSERT_EQ(run(cmd, dir / "out", dir / "err2").code, 0);
  EXPECT_EQ(read_lines(dir / "alerts.ndjson"), first);  // resumed at the end: nothing new
  EXPECT_NE(read_file(dir / "err2").find("ok 0, bad 0, late 0, duplicate 0"), std::string::npos);
}

TEST(CheckConfig, ReportsErrorsWithLineAndExitsOne) {
  TempDir dir;
  write_file(dir / "bad.yaml", "source: {file: x.ndjson}\nstorage:\n  bucket: 1h\n  colour: red\n");
  auto exit = run({KILTERD_BIN, "check-config", "--config", (dir / "bad.yaml").string()},
                  dir / "out", dir / "err");
  EXPECT_EQ(exit.code, 1);
  auto err = read_file(dir / "err");
  EXPECT_NE(err.find("bad.yaml:4:"), std::string::npos) << err;
  EXPECT_NE(err.find("storage.colour"), std::string::npos) << err;

  write_file(dir / "good.yaml", "source: {file: events.ndjson}\n");
  EXPECT_EQ(run({KILTERD_BIN, "check-config", "--config", (dir / "good.yaml").string()},
                dir / "out", dir / "err")
                .code,
            0);
}

TEST(Classify, PrintsOneLinePerPost) {
  TempDir dir;
  write_file(
      dir / "in.ndjson",
      R"({"type":"post","id":"1","account":"a","ts":1763600000000,"post_id":"p1","text":"-20% on everything this weekend only, shop now","lang":"en"})"
      "\n"
      R"({"type":"followers","id":"2","account":"a","ts":1763600000000,"followers":3})"
      "\n"
      R"({"type":"post","id":"3","account":"a","ts":1763600000000,"post_id":"p3","text":"anything","category":"personal"})"
      "\n");
  auto exit = run({KILTERD_BIN, "classify"}, dir / "out", dir / "err", {}, dir / "in.ndjson");
  ASSERT_EQ(exit.code, 0) << read_file(dir / "err");
  auto lines = read_lines(dir / "out");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(json_field(lines[0], "post_id"), "p1");
  EXPECT_EQ(json_field(lines[0], "category"), "promotional");
  EXPECT_NE(lines[0].find("\"matched\":["), std::string::npos);
  EXPECT_EQ(json_field(lines[1], "category"), "personal");
  EXPECT_EQ(json_field(lines[1], "confidence"), "1");
}

}  // namespace
}  // namespace kilter::testing

// Digests in the engine: a replay emits every period it covers, each once; a
// restart (the store reopened) neither resends nor skips one; a period waits
// for the wall clock to reach its end; events later than the watermark that
// released a period are counted late and change nothing.
#include <simdjson.h>

#include <map>
#include <set>

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// t0_ (2025-11-20T08:00:00Z) is 09:00 in Paris: the digest's periods end at t0_
// + n days.
constexpr const char* kDigestConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1s}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: gone-silent, metric: posts, window: 1d, min: 1}
default_profile: brand
digests:
  - {name: morning, every: 1d, at: "09:00", timezone: Europe/Paris}
)";

struct Digest {
  std::string id;
  std::uint64_t professional = 0;
  std::uint64_t personal = 0;
  std::map<std::string, std::string> status;  // by rule
};

std::vector<Digest> digests(const std::vector<std::string>& lines) {
  std::vector<Digest> out;
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    auto doc = parser.parse(line);
    std::string_view type;
    if (doc["type"].get_string().get(type) != simdjson::SUCCESS || type != "digest") continue;
    Digest d;
    d.id = std::string(std::string_view(doc["digest_id"]));
    d.professional = std::uint64_t(doc["posts"]["professional"]);
    d.personal = std::uint64_t(doc["posts"]["personal"]);
    for (auto rule : doc["rules"].get_array())
      d.status[std::string(std::string_view(rule["rule"]))] =
          std::string(std::string_view(rule["status"]));
    out.push_back(std::move(d));
  }
  return out;
}

class EngineDigests : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    configure(kDigestConfig);
  }
  std::vector<Digest> seen() {
    clock_.run_posted();
    return digests(sink_->records);
  }
};

TEST_F(EngineDigests, AReplayEmitsEveryPeriodItCoversOnce) {
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_ + hours(1));
  post(p, 1, "acme", t0_ + hours(2), "personal");
  post(p, 2, "globex", t0_ + hours(3));
  post(p, 3, "acme", t0_ + hours(25));  // crosses the end of the first period
  post(p, 4, "acme", t0_ + hours(26));
  post(p, 5, "acme", t0_ + hours(50));  // and of the second
  ASSERT_TRUE(engine_->finish().ok());
  const auto d = seen();
  // Periods ending after the first event and by the final evaluation (t0_+51h):
  // 21 and 22 November 09:00 Paris. globex has a bucket in the first period
  // only, and none in its rules' longest window (1d) before the second end:
  // nothing to review there.
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].id, "morning/acme/2025-11-21T09:00:00+01:00");
  EXPECT_EQ(d[0].professional, 1u);
  EXPECT_EQ(d[0].personal, 1u);
  EXPECT_EQ(d[0].status.at("gone-silent"), "ok");
  EXPECT_EQ(d[1].id, "morning/globex/2025-11-21T09:00:00+01:00");
  EXPECT_EQ(d[2].id, "morning/acme/2025-11-22T09:00:00+01:00");
  EXPECT_EQ(d[2].professional, 2u);
  EXPECT_EQ(engine_->stats().digests, 3u);
  EXPECT_EQ(store_->meta(p)->digests.at("morning"), t0_ + hours(51));
}

TEST_F(EngineDigests, ARestartNeitherResendsNorSkipsAPeriod) {
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_ + hours(1));
  post(p, 1, "acme", t0_ + hours(25));  // the first period goes out here
  ASSERT_TRUE(engine_->commit().ok());
  auto first = seen();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].id, "morning/acme/2025-11-21T09:00:00+01:00");
  EXPECT_EQ(store_->meta(p)->digests.at("morning"), t0_ + hours(25));

  open();  // the store reopened: a restart
  engine_->open_partition(p);
  post(p, 1, "acme", t0_ + hours(25));  // redelivered: a duplicate
  post(p, 2, "acme", t0_ + hours(49));
  post(p, 3, "acme", t0_ + hours(73));
  ASSERT_TRUE(engine_->finish().ok());
  auto second = seen();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].id, "morning/acme/2025-11-22T09:00:00+01:00");
  EXPECT_EQ(second[0].professional, 1u);
  EXPECT_EQ(second[1].id, "morning/acme/2025-11-23T09:00:00+01:00");
}

TEST_F(EngineDigests, APeriodWaitsForTheWallClockAndLateEventsAreLate) {
  // A wall clock half an hour before the first period's end.
  SimulatedDispatcher wall(t0_ + hours(23) + minutes(30));
  engine_ = std::make_unique<Engine>(cfg_, *store_, *classifier_, *outbox_, wall);
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_ + hours(1));
  post(p, 1, "acme", t0_ + hours(24) + minutes(30));  // the watermark passes the end...
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_TRUE(seen().empty()) << "... but the wall clock has not reached it";
  // An event before the end, now behind the watermark: late, not in the period.
  post(p, 2, "acme", t0_ + hours(23), "personal");
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::late)], 1u);
  wall.advance(hours(1) + minutes(40));  // t0_ + 25h10m
  engine_->advance_idle(p, wall.now());
  auto d = seen();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].id, "morning/acme/2025-11-21T09:00:00+01:00");
  EXPECT_EQ(d[0].professional, 1u);
  EXPECT_EQ(d[0].personal, 0u);
  engine_->advance_idle(p, wall.now() + hours(2));
  EXPECT_EQ(seen().size(), 1u) << "emitted once";
}

TEST_F(EngineDigests, RulesStandAsAtThePeriodsEnd) {
  std::string yaml = kDigestConfig;
  yaml.replace(yaml.find("{name: gone-silent, metric: posts, window: 1d, min: 1}"),
               std::string("{name: gone-silent, metric: posts, window: 1d, min: 1}").size(),
               "{name: busy, metric: posts, window: 1d, max: 2}");
  configure(yaml);
  const Partition p{0};
  engine_->open_partition(p);
  for (int i = 0; i < 3; ++i) post(p, i, "acme", t0_ + hours(1 + i));
  // The jump to t0_+30h passes the period's end: the rules are evaluated there
  // first (3 posts in the day: busy fires), then at t0_+30h (none: resolved).
  post(p, 3, "acme", t0_ + hours(30));
  ASSERT_TRUE(engine_->finish().ok());
  const auto d = seen();
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].professional, 3u);
  EXPECT_EQ(d[0].status.at("busy"), "firing");
  // The alert fired at the end and resolved at t0_+30h.
  std::size_t alerts = 0;
  for (const auto& r : sink_->records)
    alerts += r.find(R"("alert_id":"acme/posts/1d")") != std::string::npos;
  EXPECT_EQ(alerts, 2u);
}

TEST_F(EngineDigests, NoDigestsNoProgressStored) {
  configure(kEngineConfig);
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_ + hours(1));
  post(p, 1, "acme", t0_ + hours(30));
  ASSERT_TRUE(engine_->finish().ok());
  EXPECT_TRUE(seen().empty());
  EXPECT_TRUE(store_->meta(p)->digests.empty());
}

}  // namespace
}  // namespace kilter::pipeline

// The engine's evaluations: which accounts are evaluated at a boundary (those
// whose figures can have changed), verdicts from buckets leaving a window with
// no new event, and the evidence of an alert raised before its batch is written.
#include <fmt/format.h>
#include <simdjson.h>

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

constexpr const char* kShareConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1h}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: on-topic, metric: personal_share, window: 1d, max: 0.5, min_posts: 1}
      - {name: chatter, metric: posts, window: 1d, max: 3}
default_profile: brand
)";

class EvaluationTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    configure(kShareConfig);
    engine_->open_partition(p_);
  }
  void send(const std::string& json) {
    payload_ = json;
    SourceMessage m;
    m.partition = p_;
    m.offset = Offset{next_};
    m.next = Offset{++next_};
    m.payload = payload_;
    m.capacity = payload_.size();
    engine_->process(m);
  }
  void post_of(const std::string& account, const std::string& post_id, TimePoint ts,
               const std::string& category) {
    send(fmt::format(R"({{"type":"post","id":"e{}","account":"{}","ts":{},"post_id":"{}",)"
                     R"("text":"t","category":"{}"}})",
                     next_, account, epoch_ms(ts), post_id, category));
  }
  void reply(const std::string& account, const std::string& post_id, TimePoint ts, int n) {
    send(fmt::format(R"({{"type":"engagement","id":"e{}","account":"{}","ts":{},)"
                     R"("post_id":"{}","action":"reply","count":{}}})",
                     next_, account, epoch_ms(ts), post_id, n));
  }
  void deliver() {
    ASSERT_TRUE(engine_->commit().ok());
    clock_.run_posted();
  }
  // (post_id, engagement) of the top posts of record i.
  std::vector<std::pair<std::string, std::int64_t>> top_posts(std::size_t i) {
    simdjson::dom::parser parser;
    std::vector<std::pair<std::string, std::int64_t>> out;
    auto doc = parser.parse(sink_->records.at(i));
    for (auto p : doc["evidence"]["top_posts"].get_array())
      out.emplace_back(std::string(p["post_id"].get_string().value()),
                       p["engagement"].get_int64().value());
    return out;
  }
  std::uint64_t evaluations() const { return engine_->stats().account_evaluations; }

  const Partition p_{1};
  std::int64_t next_ = 0;
  const TimePoint h0_ = t0_;
};

TEST_F(EvaluationTest, EvidenceCountsCommittedAndUncommittedPostsAndEngagement) {
  post_of("acme", "old", h0_, "personal");
  reply("acme", "old", h0_ + Millis{60'000}, 3);   // 6 weighted (a reply weighs 2)
  ASSERT_TRUE(engine_->commit().ok());             // "old" and 6 are in the store now
  reply("acme", "old", h0_ + Millis{120'000}, 1);  // +2, not yet committed
  post_of("acme", "new", h0_ + Millis{180'000}, "personal");
  reply("acme", "new", h0_ + Millis{240'000}, 5);  // 10, not yet committed
  post_of("acme", "calm", h0_ + Millis{300'000}, "professional");
  // The next hour's first event evaluates the first hour, before anything is committed.
  post_of("other", "x", h0_ + std::chrono::hours(1), "professional");
  deliver();
  ASSERT_EQ(sink_->records.size(), 1u);
  EXPECT_NE(sink_->records[0].find(R"("alert_id":"acme/personal_share/1d")"), std::string::npos);
  // Only the personal posts explain a personal share, heaviest first.
  EXPECT_EQ(top_posts(0),
            (std::vector<std::pair<std::string, std::int64_t>>{{"new", 10}, {"old", 8}}));
  // What the store then holds is the same, and a post after the alert starts at 0.
  post_of("acme", "after", h0_ + std::chrono::hours(1) + Millis{1}, "personal");
  ASSERT_TRUE(engine_->commit().ok());
  std::map<std::string, std::uint64_t> stored;
  store_->scan_post_details(p_, "acme", TimePoint::min(), TimePoint::max(),
                            [&](TimePoint, std::string_view id, const PostDetail& d) {
                              stored[std::string(id)] = d.engagement;
                            });
  EXPECT_EQ(stored, (std::map<std::string, std::uint64_t>{
                        {"old", 8}, {"new", 10}, {"calm", 0}, {"after", 0}}));
}

TEST_F(EvaluationTest, OnlyAccountsWhoseFiguresCanChangeAreEvaluated) {
  post_of("acme", "a1", h0_, "professional");
  post_of("globex", "g1", h0_, "professional");
  post_of("other", "o1", h0_ + std::chrono::hours(1), "professional");  // evaluates hour 0
  EXPECT_EQ(evaluations(), 2u);                                         // acme and globex had posts
  // Engagement is read by no rule of these profiles: it changes no verdict.
  reply("acme", "a1", h0_ + std::chrono::hours(1) + Millis{1}, 4);
  post_of("other", "o2", h0_ + std::chrono::hours(2), "professional");  // evaluates hour 1
  EXPECT_EQ(evaluations(), 3u);                                         // "other" only
  // With no event of theirs, their posts leave the 1d windows at hour 25: they
  // are due then. The clock jumps from hour 24 to 26, so they are evaluated at
  // 26, with "other" (its posts of hours 1 and 24).
  post_of("other", "o3", h0_ + std::chrono::hours(24), "professional");
  EXPECT_EQ(evaluations(), 4u);  // "other" at hour 24
  post_of("other", "o4", h0_ + std::chrono::hours(26), "professional");
  EXPECT_EQ(evaluations(), 7u);
}

TEST_F(EvaluationTest, ABreachEndsWhenItsPostsLeaveTheWindowWithoutNewEvents) {
  for (int i = 0; i < 4; ++i)
    post_of("acme", fmt::format("a{}", i), h0_ + Millis{i * 1000}, "professional");
  post_of("other", "o1", h0_ + std::chrono::hours(1), "professional");
  deliver();
  ASSERT_EQ(sink_->records.size(), 1u);  // 4 posts over 1d (max 3)
  EXPECT_NE(sink_->records[0].find(R"("status":"firing")"), std::string::npos);
  EXPECT_EQ(engine_->alert_state_counts(), (std::array<std::size_t, 2>{0, 1}));
  // Another account moves the clock a day on: acme's posts leave its window.
  post_of("other", "o2", h0_ + std::chrono::hours(26), "professional");
  deliver();
  ASSERT_EQ(sink_->records.size(), 2u);
  EXPECT_NE(sink_->records[1].find(R"("alert_id":"acme/posts/1d","account":"acme")"),
            std::string::npos);
  EXPECT_NE(sink_->records[1].find(R"("status":"resolved")"), std::string::npos);
  EXPECT_EQ(engine_->alert_state_counts(), (std::array<std::size_t, 2>{0, 0}));
  EXPECT_NE(sink_->records[1].find(R"("ends_at":"2025-11-21T10:00:00Z")"), std::string::npos)
      << sink_->records[1];  // Restored from the store, the counts are the same.
  configure(kShareConfig);
  engine_->open_partition(p_);
  EXPECT_EQ(engine_->alert_state_counts(), (std::array<std::size_t, 2>{0, 0}));
}

TEST_F(EvaluationTest, AStartingPartitionStoresItsPositionAtOnce) {
  const Partition fresh{9};
  EXPECT_FALSE(engine_->open_partition(fresh).has_value());
  engine_->partition_started(fresh, Offset{1234});
  ASSERT_TRUE(store_->meta(fresh).has_value());
  EXPECT_EQ(store_->meta(fresh)->position, Offset{1234});
  open();  // a crash now: the restart continues there
  EXPECT_EQ(engine_->open_partition(fresh), Offset{1234});
}

TEST_F(EngineTest, MoreIdsWithinTheLatenessThanTheBoundAreForgottenEarlyAndCounted) {
  configure(R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h}
pipeline: {allowed_lateness: 1d, dedupe_max_ids: 1000}
)");
  const Partition p{2};
  engine_->open_partition(p);
  for (int i = 0; i < 3000; ++i) post(p, i, "acme", t0_ + Millis{i});
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_GT(engine_->stats().seen_ids_evicted, 0u);
  // The degraded mode costs exactly that: an early-forgotten copy counts again.
  post(p, 0, "acme", t0_);
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::duplicate)], 0u);
  // The newest are still known.
  post(p, 2999, "acme", t0_ + Millis{2999});
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::duplicate)], 1u);
}

}  // namespace
}  // namespace kilter::pipeline

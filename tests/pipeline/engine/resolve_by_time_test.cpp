// A firing alert that resolves on time alone (keep_firing_for's wait, no_verdict
// "resolve after"): with no further event of its account, the engine evaluates
// the account at the boundary where the wait ends, and not before.
#include <fmt/format.h>

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

using std::chrono::hours;

constexpr const char* kConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1h}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: chatter, metric: posts, window: 1h, max: 1, keep_firing_for: 3h}
      - {name: on-topic, metric: personal_share, window: 1h, max: 0.5, min_posts: 2,
         no_verdict: resolve after 3h}
default_profile: brand
)";

class ResolveByTimeTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    configure(kConfig);
    engine_->open_partition(p_);
  }
  void post_of(const std::string& account, TimePoint ts, const std::string& category) {
    payload_ = fmt::format(R"({{"type":"post","id":"e{}","account":"{}","ts":{},"post_id":"p{}",)"
                           R"("text":"t","category":"{}"}})",
                           next_, account, epoch_ms(ts), next_, category);
    SourceMessage m = message(p_, next_++);
    engine_->process(m);
  }
  // The partition is quiet: its clock moves to hour `h` (wall-clock time).
  void idle_until(int h) {
    engine_->advance_idle(p_, t0_ + hours(h));
    clock_.run_posted();
  }
  // The records for `alert_id` delivered so far.
  std::vector<std::string> records_of(const std::string& alert_id) const {
    std::vector<std::string> out;
    for (const auto& r : sink_->records)
      if (r.find(fmt::format(R"("alert_id":"{}")", alert_id)) != std::string::npos)
        out.push_back(r);
    return out;
  }
  static bool has(const std::string& record, const std::string& text) {
    return record.find(text) != std::string::npos;
  }

  const Partition p_{3};
  std::int64_t next_ = 0;
};

TEST_F(ResolveByTimeTest, KeepFiringForResolvesAtTheEndOfItsWaitWithNoFurtherEvent) {
  // Hour 0: 2 posts (above max 1) of acme; the clock moves to hour 1: firing.
  post_of("acme", t0_ + Millis{1000}, "professional");
  post_of("acme", t0_ + Millis{2000}, "professional");
  idle_until(1);
  auto chatter = records_of("acme/posts/1h");
  ASSERT_EQ(chatter.size(), 1u);
  EXPECT_TRUE(has(chatter[0], R"("status":"firing")"));
  // Hour 2: the posts leave the 1h window, 0 posts: within limits, the wait of
  // 3h begins. Hours 3 and 4: still waiting; nothing else makes acme due.
  for (int h = 2; h <= 4; ++h) {
    idle_until(h);
    EXPECT_EQ(records_of("acme/posts/1h").size(), 1u) << "hour " << h;
    EXPECT_EQ(engine_->alert_state_counts()[1], 1u) << "hour " << h;
  }
  const auto evaluations = engine_->stats().account_evaluations;
  idle_until(5);  // 3h after hour 2
  EXPECT_EQ(engine_->stats().account_evaluations, evaluations + 1);
  chatter = records_of("acme/posts/1h");
  ASSERT_EQ(chatter.size(), 2u);
  EXPECT_TRUE(has(chatter[1], R"("status":"resolved")"));
  EXPECT_TRUE(has(chatter[1], R"("starts_at":"2025-11-20T09:00:00Z")")) << chatter[1];
  EXPECT_TRUE(has(chatter[1], R"("ends_at":"2025-11-20T13:00:00Z")")) << chatter[1];
  EXPECT_TRUE(has(chatter[1], R"("value":0)")) << chatter[1];
  EXPECT_EQ(engine_->alert_state_counts(), (std::array<std::size_t, 2>{0, 0}));
}

TEST_F(ResolveByTimeTest, WaitsSurviveARestart) {
  post_of("acme", t0_ + Millis{1000}, "professional");
  post_of("acme", t0_ + Millis{2000}, "professional");
  idle_until(1);
  idle_until(2);  // the wait begins; the state holding it is committed
  ASSERT_EQ(records_of("acme/posts/1h").size(), 1u);
  open();  // a restart (a new sink): the state comes back from the store
  engine_->open_partition(p_);
  idle_until(3);
  idle_until(4);
  EXPECT_TRUE(records_of("acme/posts/1h").empty());
  EXPECT_EQ(engine_->alert_state_counts()[1], 1u);
  idle_until(5);
  const auto chatter = records_of("acme/posts/1h");
  ASSERT_EQ(chatter.size(), 1u);
  EXPECT_TRUE(has(chatter[0], R"("status":"resolved")")) << chatter[0];
  EXPECT_TRUE(has(chatter[0], R"("ends_at":"2025-11-20T13:00:00Z")")) << chatter[0];
}

TEST_F(ResolveByTimeTest, NoVerdictResolveAfterResolvesAtItsBoundaryWithTheLastValue) {
  // Hour 0: 2 personal posts (share 100%, max 50%, min_posts 2): firing at hour 1.
  post_of("acme", t0_ + Millis{1000}, "personal");
  post_of("acme", t0_ + Millis{2000}, "personal");
  idle_until(1);
  auto share = records_of("acme/personal_share/1h");
  ASSERT_EQ(share.size(), 1u);
  EXPECT_TRUE(has(share[0], R"("status":"firing")"));
  // Hour 2: the posts leave the window, fewer than min_posts: no verdict since
  // hour 1. It resolves at hour 1 + 3h, not before.
  for (int h = 2; h <= 3; ++h) {
    idle_until(h);
    EXPECT_EQ(records_of("acme/personal_share/1h").size(), 1u) << "hour " << h;
  }
  idle_until(4);
  share = records_of("acme/personal_share/1h");
  ASSERT_EQ(share.size(), 2u);
  EXPECT_TRUE(has(share[1], R"("status":"resolved")"));
  EXPECT_TRUE(has(share[1], R"("starts_at":"2025-11-20T09:00:00Z")")) << share[1];
  EXPECT_TRUE(has(share[1], R"("ends_at":"2025-11-20T12:00:00Z")")) << share[1];
  EXPECT_TRUE(has(share[1], R"("value":1)")) << share[1];  // the last value known
}

TEST_F(ResolveByTimeTest, AClockJumpingPastTheBoundaryResolvesAtTheFirstEvaluationAfterIt) {
  post_of("acme", t0_ + Millis{1000}, "personal");
  post_of("acme", t0_ + Millis{2000}, "personal");
  idle_until(1);
  idle_until(2);
  idle_until(9);  // nothing in between: the evaluation at hour 9 is the first after 4
  const auto share = records_of("acme/personal_share/1h");
  ASSERT_EQ(share.size(), 2u);
  EXPECT_TRUE(has(share[1], R"("ends_at":"2025-11-20T17:00:00Z")")) << share[1];
}

}  // namespace
}  // namespace kilter::pipeline

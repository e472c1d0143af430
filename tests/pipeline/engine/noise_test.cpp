// What the engine tells the sinks: inhibitions, mute windows, campaign limits.
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

using std::chrono::hours;

// 2025-11-20T08:00:00Z is t0_.
constexpr const char* kRules = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: silent, metric: posts, window: 1d, min: 1}
      - {name: few, metric: posts, window: 2d, min: 3}
      - {name: too-pushy, metric: promotional_share, window: 1d, max: 0.4}
default_profile: brand
)";

std::string field(const std::string& record, const std::string& key) {
  auto k = "\"" + key + "\":\"";
  auto at = record.find(k);
  if (at == std::string::npos) return {};
  at += k.size();
  return record.substr(at, record.find('"', at) - at);
}

class NoiseTest : public EngineTest {
 protected:
  std::vector<std::string> told(const std::string& alert_id) {
    clock_.run_posted();  // the outbox's deliveries complete on the loop
    std::vector<std::string> out;
    for (const auto& r : sink_->records)
      if (field(r, "alert_id") == alert_id)
        out.push_back(field(r, "status") + "@" + field(r, "starts_at"));
    return out;
  }
  const Partition p_{0};
};

TEST_F(NoiseTest, AnAccountGoneSilentMutesItsOtherAlertUntilItSpeaksAgain) {
  configure(std::string(kRules) + "inhibit:\n  - {source: {rule: silent}, target: {rule: few}}\n");
  engine_->open_partition(p_);
  post(p_, 0, "acme", t0_);
  // Two days of silence: both rules breach; only "silent" is told.
  engine_->advance_idle(p_, t0_ + hours(50));
  EXPECT_EQ(told("acme/posts/1d"), std::vector<std::string>{"firing@2025-11-22T10:00:00Z"});
  EXPECT_TRUE(told("acme/posts/2d").empty());
  EXPECT_EQ(engine_->stats().alerts_inhibited, 1u);
  // A post: "silent" resolves, and "few", still breaching, is told now, with the
  // time its breach began.
  post(p_, 1, "acme", t0_ + hours(51));
  engine_->advance_idle(p_, t0_ + hours(52));
  EXPECT_EQ(told("acme/posts/1d"), (std::vector<std::string>{"firing@2025-11-22T10:00:00Z",
                                                             "resolved@2025-11-22T10:00:00Z"}));
  EXPECT_EQ(told("acme/posts/2d"), std::vector<std::string>{"firing@2025-11-22T10:00:00Z"});
}

TEST_F(NoiseTest, AMuteWindowHoldsTheAlertBackAndItIsToldWhenTheWindowEnds) {
  configure(std::string(kRules) +
            "mute:\n  - {match: {rule: silent}, from: 2025-11-22T00:00:00Z, "
            "to: 2025-11-23T00:00:00Z}\n");
  engine_->open_partition(p_);
  post(p_, 0, "acme", t0_);
  engine_->advance_idle(p_, t0_ + hours(30));  // 11-21T14: breaching, not muted yet
  ASSERT_EQ(told("acme/posts/1d"), std::vector<std::string>{"firing@2025-11-21T14:00:00Z"});
  sink_->records.clear();

  // Another account breaches inside the window: held back, then told after it.
  post(p_, 1, "globex", t0_ + hours(31));
  engine_->advance_idle(p_, t0_ + hours(58));  // 11-22T18, muted
  EXPECT_TRUE(told("globex/posts/1d").empty());
  EXPECT_EQ(engine_->stats().alerts_muted, 1u);
  engine_->advance_idle(p_, t0_ + hours(65));  // 11-23T01, after the window
  // Its breach began at the first evaluation inside the window (11-22T18).
  EXPECT_EQ(told("globex/posts/1d"), std::vector<std::string>{"firing@2025-11-22T18:00:00Z"});
}

TEST_F(NoiseTest, AFiringNeverToldResolvesQuietly) {
  configure(std::string(kRules) +
            "mute:\n  - {match: {account: acme}, from: 2025-11-01T00:00:00Z, "
            "to: 2025-12-01T00:00:00Z}\n");
  engine_->open_partition(p_);
  post(p_, 0, "acme", t0_);
  engine_->advance_idle(p_, t0_ + hours(30));
  post(p_, 1, "acme", t0_ + hours(31));
  engine_->advance_idle(p_, t0_ + hours(32));
  EXPECT_TRUE(told("acme/posts/1d").empty()) << "neither the firing nor its resolution";
}

TEST_F(NoiseTest, ACampaignRaisesALimitWhileItsPostsAreInTheWindow) {
  configure(std::string(kRules) + R"(accounts:
  - id: shop
    profile: brand
    campaigns:
      - {name: winter-sale, from: 2025-11-20T00:00:00Z, to: 2025-11-21T00:00:00Z,
         limits: {too-pushy: {max: 0.9}}}
  - {id: other, profile: brand}
)");
  engine_->open_partition(p_);
  // Up to 80% promotional on both accounts during the sale (the share grows
  // from 0% at the first evaluation).
  for (int i = 0; i < 10; ++i) {
    auto ts = t0_ + std::chrono::minutes(30 * i);
    post(p_, 2 * i, "shop", ts, i < 2 ? "professional" : "promotional");
    post(p_, 2 * i + 1, "other", ts, i < 2 ? "professional" : "promotional");
  }
  engine_->advance_idle(p_, t0_ + hours(6));
  EXPECT_TRUE(told("shop/promotional_share/1d").empty());
  ASSERT_EQ(told("other/promotional_share/1d").size(), 1u);
  // A day after the sale the window no longer holds its posts; a new promotional
  // post alone is judged by the normal limit.
  post(p_, 100, "shop", t0_ + hours(41), "promotional");
  engine_->advance_idle(p_, t0_ + hours(42));
  ASSERT_EQ(told("shop/promotional_share/1d").size(), 1u);
  const auto& r = sink_->records.back();
  EXPECT_EQ(r.find("\"campaign\""), std::string::npos) << r;
}

TEST_F(NoiseTest, AnAlertDuringACampaignSaysSo) {
  configure(std::string(kRules) + R"(accounts:
  - id: shop
    profile: brand
    campaigns:
      - {name: launch, from: 2025-11-20T00:00:00Z, to: 2025-11-21T00:00:00Z,
         limits: {too-pushy: {max: 0.5}}}
)");
  engine_->open_partition(p_);
  for (int i = 0; i < 4; ++i)
    post(p_, i, "shop", t0_ + std::chrono::minutes(10 * i), "promotional");
  engine_->advance_idle(p_, t0_ + hours(2));
  ASSERT_EQ(told("shop/promotional_share/1d").size(), 1u);
  const auto& r = sink_->records.back();
  EXPECT_NE(r.find(R"("campaign":"launch")"), std::string::npos) << r;
  EXPECT_NE(r.find("(max 50%) during campaign launch"), std::string::npos) << r;
}

}  // namespace
}  // namespace kilter::pipeline

// The status page's data: order, paging and figures, from an engine over a real store.
#include "daemon/server/status_data.h"

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::daemon {
namespace {

constexpr const char* kConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1s}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: slow-burn, metric: promotional_share, window: 1d, max: 0.5, for: 10h,
         severity: critical}
      - {name: on-topic, metric: personal_share, window: 1d, max: 0.5}
default_profile: brand
)";

class StatusDataTest : public pipeline::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    configure(kConfig);
    // Ids in the opposite order of their states: the state decides first.
    engine_->open_partition(p_);
    post(p_, 0, "alpha", t0_, "professional");  // within limits
    post(p_, 1, "mid", t0_, "promotional");     // breach, pending for 10h
    post(p_, 2, "zeta", t0_, "personal");       // 2 of 3 personal: fires at once
    post(p_, 3, "zeta", t0_ + std::chrono::minutes(10), "personal");
    post(p_, 4, "zeta", t0_ + std::chrono::minutes(20), "professional");
    post(p_, 5, "alpha", t0_ + std::chrono::hours(1), "professional");  // evaluates at 09:00
    ASSERT_TRUE(engine_->commit().ok());
  }
  StatusPage gather(std::size_t page = 1, std::size_t limit = kStatusDefaultLimit) {
    return gather_status(*engine_, *store_, StatusQuery{page, limit});
  }
  static std::vector<std::string> ids(const StatusPage& p) {
    std::vector<std::string> out;
    for (const auto& r : p.rows) out.push_back(r.account);
    return out;
  }
  const Partition p_{0};
};

TEST_F(StatusDataTest, FiringFirstThenPendingThenOkWithTheirRules) {
  const auto page = gather();
  EXPECT_EQ(page.firing, 1u);
  EXPECT_EQ(page.pending, 1u);
  EXPECT_EQ(page.ok, 1u);
  ASSERT_EQ(ids(page), (std::vector<std::string>{"zeta", "mid", "alpha"}));
  const auto& zeta = page.rows[0];
  EXPECT_EQ(zeta.status, AccountStatus::firing);
  EXPECT_EQ(zeta.profile, "brand");
  ASSERT_EQ(zeta.rules.size(), 1u);
  EXPECT_EQ(zeta.rules[0].rule, "on-topic");
  EXPECT_EQ(zeta.rules[0].status, AccountStatus::firing);
  EXPECT_EQ(zeta.rules[0].description, "personal share 66.7% over 1d (max 50%)");
  EXPECT_EQ(zeta.rules[0].since, t0_ + std::chrono::hours(1));
  const auto& mid = page.rows[1];
  EXPECT_EQ(mid.status, AccountStatus::pending);
  ASSERT_EQ(mid.rules.size(), 1u);
  EXPECT_EQ(mid.rules[0].rule, "slow-burn");
  EXPECT_EQ(mid.rules[0].status, AccountStatus::pending);
  EXPECT_EQ(mid.rules[0].severity, "critical");
  EXPECT_EQ(mid.rules[0].description, "promotional share 100% over 1d (max 50%)");
  EXPECT_TRUE(page.rows[2].rules.empty());
  ASSERT_TRUE(page.as_of.has_value());
  EXPECT_EQ(*page.as_of, t0_ + std::chrono::hours(2));  // the end of the bucket of 09:00
}

TEST_F(StatusDataTest, RulesOutOfLimitsCarryTheirAdvice) {
  const auto page = gather();
  ASSERT_EQ(ids(page), (std::vector<std::string>{"zeta", "mid", "alpha"}));
  // 2 of 3 personal, max 50%: 2 / 4 is within. The three posts leave together,
  // and then the rule has no verdict: no date.
  EXPECT_EQ(page.rows[0].rules[0].advice,
            "2 personal of 3 posts in 1d, 66.7%, max 50%: 1 professional or promotional post "
            "would be needed; with no new post, it stays out of limits until its last "
            "classified post leaves the window");
  // Pending counts too: the breach is there.
  EXPECT_TRUE(page.rows[1].rules[0].advice.starts_with(
      "1 promotional of 1 post in 1d, 100%, max 50%: 1 personal or professional post would be "
      "needed;"))
      << page.rows[1].rules[0].advice;
}

TEST_F(StatusDataTest, BalanceOverTheMainWindowAndFourteenDailyFigures) {
  const auto page = gather();
  const auto& zeta = page.rows[0];
  EXPECT_EQ(zeta.window, "1d");  // the personal_share rule's window, though listed second
  EXPECT_EQ(zeta.posts, (std::array<std::uint64_t, kCategories>{2, 1, 0, 0}));
  EXPECT_EQ(zeta.share_max, 0.5);
  EXPECT_FALSE(zeta.share_min.has_value());
  ASSERT_EQ(zeta.days.size(), 14u);
  // t0 is 2025-11-20T08:00Z: the last day is the 20th, the first the 7th.
  EXPECT_EQ(zeta.first_day, *parse_rfc3339("2025-11-07T00:00:00Z"));
  for (std::size_t i = 0; i < 13; ++i) EXPECT_FALSE(zeta.days[i].personal_share) << i;
  ASSERT_TRUE(zeta.days[13].personal_share.has_value());
  EXPECT_DOUBLE_EQ(*zeta.days[13].personal_share, 2.0 / 3);
  EXPECT_EQ(page.rows[2].days[13].personal_share, 0.0);  // alpha: professional only
  EXPECT_EQ(page.rows[2].posts[static_cast<std::size_t>(Category::professional)], 2u);
}

TEST_F(StatusDataTest, DailyEngagementIsWeightedByAction) {
  // Default weights: reply 2, like 1, impression 0.
  std::int64_t offset = 10;
  for (const auto& [action, count] :
       std::vector<std::pair<std::string, int>>{{"reply", 3}, {"like", 4}, {"impression", 100}}) {
    payload_ =
        R"({"type":"engagement","id":"g)" + std::to_string(offset) +
        R"(","account":"alpha","ts":)" + std::to_string(epoch_ms(t0_ + std::chrono::hours(1))) +
        R"(,"post_id":"p0","action":")" + action + R"(","count":)" + std::to_string(count) + "}";
    pipeline::SourceMessage m;
    m.partition = p_;
    m.offset = Offset{offset};
    m.next = Offset{offset + 1};
    m.payload = payload_;
    m.capacity = payload_.size();
    engine_->process(m);
    ++offset;
  }
  ASSERT_TRUE(engine_->commit().ok());
  const auto page = gather();
  ASSERT_EQ(page.rows[2].account, "alpha");
  EXPECT_EQ(page.rows[2].days[13].engagement, 3 * 2 + 4 * 1);
  EXPECT_EQ(page.rows[2].days[12].engagement, 0);
}

TEST_F(StatusDataTest, PagesInTheSameOrder) {
  auto first = gather(1, 2);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"zeta", "mid"}));
  EXPECT_EQ(first.pages, 2u);
  EXPECT_EQ(first.first, 0u);
  auto second = gather(2, 2);
  EXPECT_EQ(ids(second), (std::vector<std::string>{"alpha"}));
  EXPECT_EQ(second.first, 2u);
  EXPECT_EQ(second.firing + second.pending + second.ok, 3u);  // counts cover every page
  EXPECT_TRUE(gather(3, 2).rows.empty());
}

TEST_F(StatusDataTest, StoredStatesOfRulesNoLongerInTheProfileDoNotCount) {
  std::string renamed = kConfig;
  renamed.replace(renamed.find("name: on-topic"), 14, "name: on-brand");
  configure(renamed);  // same state directory, the firing rule renamed
  engine_->open_partition(p_);
  const auto page = gather();
  EXPECT_EQ(page.firing, 0u);
  EXPECT_EQ(page.pending, 1u);
  EXPECT_EQ(ids(page), (std::vector<std::string>{"mid", "alpha", "zeta"}));
}

TEST(StatusQuery, PageAndLimitAreCheckedWholeNumbers) {
  auto q = parse_status_query({});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page, 1u);
  EXPECT_EQ(q->limit, kStatusDefaultLimit);
  q = parse_status_query({{"page", "3"}, {"limit", "100"}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page, 3u);
  EXPECT_EQ(q->limit, 100u);
  for (const auto& [k, v] :
       std::vector<std::pair<std::string, std::string>>{{"page", "0"},
                                                        {"page", "-1"},
                                                        {"page", "2x"},
                                                        {"page", ""},
                                                        {"limit", "101"},
                                                        {"limit", "0"},
                                                        {"limit", "99999999999999999999"}}) {
    auto bad = parse_status_query({{k, v}});
    ASSERT_FALSE(bad.ok()) << k << "=" << v;
    EXPECT_NE(bad.error().message.find(k), std::string::npos);
  }
}

}  // namespace
}  // namespace kilter::daemon

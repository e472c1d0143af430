// The HTTP endpoints' answers, on an engine over a real store.
#include "daemon/server/api.h"

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::daemon {
namespace {

class ApiTest : public pipeline::EngineTest {
 protected:
  HttpResponse get(const std::string& path, const std::string& method = "GET",
                   std::map<std::string, std::string> query = {}, std::string auth = {}) {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.query = std::move(query);
    r.authorization = std::move(auth);
    std::size_t start = 1;
    while (start <= path.size()) {
      auto end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      if (end > start) r.segments.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    ApiContext ctx{*engine_, *store_, [this] { return ready_; }, [] { return "m 1\n"; }, token_};
    return handle_request(ctx, r);
  }
  bool ready_ = false;
  std::string token_;
};

TEST_F(ApiTest, AccountFiguresPerConfiguredWindow) {
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  post(p, 1, "acme", t0_ + std::chrono::minutes(5));
  ASSERT_TRUE(engine_->commit().ok());
  auto r = get("/api/v1/accounts/acme");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_NE(r.body.find(R"("account":"acme")"), std::string::npos) << r.body;
  EXPECT_NE(
      r.body.find(
          R"("windows":{"1d":{"posts":{"personal":0,"professional":2,"promotional":0,"unclassified":0})"),
      std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("totals":{"posts":{"personal":0,"professional":2)"), std::string::npos);
  auto missing = get("/api/v1/accounts/nobody");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("nobody"), std::string::npos);
}

TEST_F(ApiTest, AccountRulesCarryTheirAdvice) {
  configure(R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1s}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: on-topic, metric: personal_share, window: 1d, max: 0.5}
      - {name: chatter, metric: posts, window: 1d, max: 10}
default_profile: brand
)");
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_, "personal");
  post(p, 1, "acme", t0_ + std::chrono::minutes(5), "personal");
  post(p, 2, "acme", t0_ + std::chrono::minutes(10), "professional");
  ASSERT_TRUE(engine_->commit().ok());
  auto r = get("/api/v1/accounts/acme");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("name":"on-topic","alert_id":"acme/personal_share/1d")"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(R"("advice":{"rule":"on-topic","metric":"personal_share","window":"1d",)"
                        R"("status":"breach","value":0.6666666666666666,"limit":0.5,)"
                        R"("posts_needed":1,"of":["professional","promotional"],"leaving":0,)"
                        R"("within_by":null,"pace_per_day":null,"text":"2 personal of 3 posts)"),
            std::string::npos)
      << r.body;
  // Within limits and not close: no advice for the posts rule (3 of 10).
  const auto chatter = r.body.find(R"("name":"chatter")");
  ASSERT_NE(chatter, std::string::npos);
  EXPECT_EQ(r.body.find("\"advice\"", chatter), std::string::npos) << r.body;
}

TEST_F(ApiTest, ActiveAlerts) {
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(get("/api/v1/alerts").body, R"({"alerts":[]})");
  engine_->advance_idle(p, t0_ + std::chrono::hours(50));
  auto r = get("/api/v1/alerts");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("alert_id":"acme/posts/1d")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("status":"firing")"), std::string::npos);
}

TEST_F(ApiTest, HealthReadinessMetricsAndErrors) {
  EXPECT_EQ(get("/-/healthy").status, 200);
  EXPECT_EQ(get("/-/ready").status, 503);
  ready_ = true;
  EXPECT_EQ(get("/-/ready").status, 200);
  auto m = get("/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(m.body, "m 1\n");
  EXPECT_EQ(m.content_type.rfind("text/plain; version=0.0.4", 0), 0u);
  EXPECT_EQ(get("/nope").status, 404);
  auto post = get("/metrics", "POST");
  EXPECT_EQ(post.status, 405);
}

TEST_F(ApiTest, AccountsByStatePagedInIdOrder) {
  const Partition p{0};
  engine_->open_partition(p);
  for (int i = 0; i < 5; ++i) post(p, i, "acct-" + std::to_string(i), t0_);
  post(p, 5, "quiet-one", t0_ - std::chrono::hours(1));  // late: not counted
  ASSERT_TRUE(engine_->commit().ok());
  // acct-4 keeps posting; the others go silent and fire.
  post(p, 6, "acct-4", t0_ + std::chrono::hours(49));
  engine_->advance_idle(p, t0_ + std::chrono::hours(50));
  auto first = get("/api/v1/accounts", "GET", {{"status", "firing"}, {"limit", "2"}});
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.body.find(R"("account":"acct-0")"), std::string::npos) << first.body;
  EXPECT_NE(first.body.find(R"("account":"acct-1")"), std::string::npos);
  EXPECT_EQ(first.body.find("acct-2"), std::string::npos);
  EXPECT_NE(first.body.find(R"("next":"acct-1")"), std::string::npos);
  EXPECT_NE(
      first.body.find(R"("alert_id":"acct-0/posts/1d","rule":"gone-silent","state":"firing")"),
      std::string::npos);
  auto second =
      get("/api/v1/accounts", "GET", {{"status", "firing"}, {"limit", "2"}, {"after", "acct-1"}});
  EXPECT_NE(second.body.find("acct-2"), std::string::npos) << second.body;
  EXPECT_NE(second.body.find("acct-3"), std::string::npos);
  auto third =
      get("/api/v1/accounts", "GET", {{"status", "firing"}, {"limit", "2"}, {"after", "acct-3"}});
  EXPECT_EQ(third.body, R"({"accounts":[],"next":null})");
  auto ok = get("/api/v1/accounts", "GET", {{"status", "ok"}});
  EXPECT_NE(ok.body.find(R"("account":"acct-4","profile":"brand","state":"ok")"), std::string::npos)
      << ok.body;
  EXPECT_EQ(get("/api/v1/accounts", "GET", {{"status", "sad"}}).status, 400);
  EXPECT_EQ(get("/api/v1/accounts", "GET", {{"limit", "0"}}).status, 400);
  EXPECT_EQ(get("/api/v1/accounts", "GET", {{"limit", "12x"}}).status, 400);
}

TEST_F(ApiTest, ATokenGuardsEverythingButMetricsAndHealth) {
  token_ = "t0ken";
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_EQ(get("/-/healthy").status, 200);
  EXPECT_EQ(get("/-/ready").status, 503);  // not ready, but not refused either
  auto refused = get("/api/v1/alerts");
  EXPECT_EQ(refused.status, 401);
  bool challenge = false;
  for (const auto& [k, v] : refused.headers) challenge = challenge || k == "WWW-Authenticate";
  EXPECT_TRUE(challenge);
  EXPECT_EQ(get("/").status, 401);
  EXPECT_EQ(get("/api/v1/alerts", "GET", {}, "Bearer wrong").status, 401);
  EXPECT_EQ(get("/api/v1/alerts", "GET", {}, "Bearer t0ken").status, 200);
  auto page = get("/", "GET", {}, "Bearer t0ken");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
}

TEST_F(ApiTest, StatusPageListsTheAccountsAndChecksItsQuery) {
  const Partition p{0};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  post(p, 1, "<globex>", t0_);
  ASSERT_TRUE(engine_->commit().ok());
  auto r = get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find(">acme</a>"), std::string::npos);
  EXPECT_NE(r.body.find(">&lt;globex&gt;</a>"), std::string::npos);
  std::map<std::string, std::string> headers(r.headers.begin(), r.headers.end());
  EXPECT_EQ(headers["Content-Security-Policy"],
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  EXPECT_EQ(headers["Cache-Control"], "no-store");
  auto paged = get("/", "GET", {{"page", "2"}, {"limit", "1"}});
  EXPECT_EQ(paged.status, 200);
  EXPECT_NE(paged.body.find(">acme</a>"), std::string::npos);  // "<globex>" sorts first
  EXPECT_EQ(paged.body.find("globex&gt;</a>"), std::string::npos);
  auto bad = get("/", "GET", {{"limit", "1000"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("limit"), std::string::npos);
  EXPECT_EQ(get("/", "GET", {{"page", "zero"}}).status, 400);
}

}  // namespace
}  // namespace kilter::daemon

// The HTTP endpoints' answers, on an engine over a real store.
#include "daemon/api.h"

#include "tests/pipeline/engine_fixture.h"

namespace kilter::daemon {
namespace {

class ApiTest : public pipeline::EngineTest {
 protected:
  HttpResponse get(const std::string& path, const std::string& method = "GET") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    std::size_t start = 1;
    while (start <= path.size()) {
      auto end = path.find('/', start);
      if (end == std::string::npos) end = path.size();
      if (end > start) r.segments.push_back(path.substr(start, end - start));
      start = end + 1;
    }
    ApiContext ctx{*engine_, *store_, [this] { return ready_; }, [] { return "m 1\n"; }};
    return handle_request(ctx, r);
  }
  bool ready_ = false;
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

}  // namespace
}  // namespace kilter::daemon

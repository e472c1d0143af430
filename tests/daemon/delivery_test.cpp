// The HTTP sinks end to end: outbox -> sink -> libcurl -> a local receiver
// (our own HTTP server on its own thread, port 0). Payloads of every HTTP sink,
// the webhook signature, retries on 500, 429 and timeouts, and the rate limit.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "daemon/asio_dispatcher.h"
#include "daemon/server/http_server.h"
#include "http/curl_client.h"
#include "pipeline/delivery/hmac.h"
#include "pipeline/delivery/outbox.h"

namespace kilter::daemon {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Received {
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::chrono::steady_clock::time_point at;
};

// A receiver on its own thread: records what arrives and answers as scripted
// (status, Retry-After, delay before answering).
class Receiver {
 public:
  struct Answer {
    int status = 200;
    std::string retry_after;
    milliseconds delay{0};
  };

  Receiver() : server_(io_, [this](const HttpRequest& r) { return handle(r); }) {
    EXPECT_TRUE(server_.listen("127.0.0.1:0").ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    asio::post(io_, [this] { server_.stop(); });
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
  }
  void script(std::vector<Answer> answers) {
    std::lock_guard lock(mu_);
    answers_ = std::move(answers);
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return got_;
  }

 private:
  HttpResponse handle(const HttpRequest& r) {
    Answer a;
    {
      std::lock_guard lock(mu_);
      Received rec{r.path, r.body, {}, std::chrono::steady_clock::now()};
      for (const auto& [k, v] : r.headers) {
        std::string name = k;
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers[name] = v;
      }
      got_.push_back(std::move(rec));
      if (!answers_.empty()) {
        a = answers_.front();
        answers_.erase(answers_.begin());
      }
    }
    // Only this thread waits: the daemon's loop is elsewhere.
    if (a.delay.count() > 0) std::this_thread::sleep_for(a.delay);
    HttpResponse resp{a.status, "text/plain", a.status == 200 ? "ok" : "no", {}};
    if (!a.retry_after.empty()) resp.headers.emplace_back("Retry-After", a.retry_after);
    return resp;
  }

  asio::io_context io_;
  HttpServer server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Answer> answers_;
  std::vector<Received> got_;
};

std::string record(const std::string& account, const std::string& status = "firing") {
  return R"({"alert_id":")" + account + R"(/promotional_share/7d","account":")" + account +
         R"(","rule":"too-pushy","metric":"promotional_share","window":"7d","status":")" + status +
         R"(","value":0.5,"min":null,"max":0.4,"starts_at":"2026-11-18T16:00:00Z","ends_at":)" +
         (status == "resolved" ? R"("2026-11-19T10:00:00Z")" : "null") + R"(,"summary":")" +
         account +
         R"x(: promotional share 50% over 7d (max 40%)","evidence":{"posts":{"personal":0,"professional":5,"promotional":5,"unclassified":0},"top_posts":[{"post_id":"p8","category":"promotional","engagement":115,"confidence":0.865,"matched":["promo","offre"],"link":"https://shop.example/fr/offers"}],"matched_terms":["promo","offre"]},"profile":"brand","severity":"warning"})x";
}

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("kilter-delivery-" + std::to_string(rd()));
    auto s = storage::open_rocks_store({.path = dir_.string()});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    client_ = http::make_curl_client(
        {.post = [this](std::function<void()> fn) { dispatcher_.post(std::move(fn)); }});
  }
  void TearDown() override {
    outbox_.reset();
    client_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void make(config::SinkConfig c, config::OutboxConfig o = {}) {
    pipeline::SinkContext ctx{client_.get(), &dispatcher_, {}};
    auto sink = pipeline::make_sink(c, ctx);
    ASSERT_TRUE(sink.ok()) << sink.error().message;
    std::vector<pipeline::SinkSlot> slots;
    slots.push_back({std::move(*sink), c.rate_limit, c.group_wait, c.repeat_interval});
    name_ = c.name;
    outbox_ = std::make_unique<pipeline::Outbox>(dispatcher_, *store_, std::move(slots), o);
  }
  void add(std::uint64_t seq, const std::string& json) {
    auto batch = store_->new_batch();
    batch->put_outbox(Partition{0}, seq, json, std::vector<std::string>{name_});
    ASSERT_TRUE(store_->commit(*batch, false).ok());
    auto r = pipeline::parse_alert_record(json);
    ASSERT_TRUE(r.ok()) << r.error().message;
    outbox_->committed(Partition{0}, seq, std::move(*r), json, {name_});
  }
  // Runs the loop until `done` holds (generous deadline: it bounds a broken test).
  bool run_until(const std::function<bool()>& done, seconds deadline = seconds(20)) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!done() && std::chrono::steady_clock::now() < until) {
      io_.restart();
      io_.run_for(milliseconds(10));
    }
    return done();
  }
  std::size_t stored_entries() {
    std::size_t n = 0;
    store_->scan_outbox(Partition{0}, [&](std::uint64_t, std::string_view,
                                          const std::vector<std::string>&, bool) { ++n; });
    return n;
  }
  static config::SinkConfig sink(config::SinkType t, const std::string& url) {
    config::SinkConfig c;
    c.options = config::default_sink_options(t);
    c.name = std::string(config::to_string(t));
    std::visit(
        [&](auto& o) {
          if constexpr (requires { o.http; }) o.http.url = url;
        },
        c.options);
    if (t == config::SinkType::slack || t == config::SinkType::teams) c.rate_limit = 1;
    return c;
  }
  static config::WebhookSinkOptions& webhook(config::SinkConfig& c) {
    return std::get<config::WebhookSinkOptions>(c.options);
  }

  std::filesystem::path dir_;
  asio::io_context io_;
  AsioDispatcher dispatcher_{io_};
  std::unique_ptr<storage::StateStore> store_;
  std::unique_ptr<pipeline::HttpClient> client_;
  std::unique_ptr<pipeline::Outbox> outbox_;
  std::string name_;
  Receiver receiver_;
};

simdjson::dom::element parse(simdjson::dom::parser& p, const std::string& body) {
  simdjson::dom::element doc;
  EXPECT_FALSE(p.parse(body).get(doc)) << body;
  return doc;
}

TEST_F(DeliveryTest, WebhookPostsTheRecordSignedWithItsHeaders) {
  auto c = sink(config::SinkType::webhook, receiver_.url());
  webhook(c).secret = "s3cret";
  webhook(c).http.headers["X-Team"] = "social";
  make(c);
  add(1, record("acme"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook");
  EXPECT_EQ(got[0].body, record("acme"));
  EXPECT_EQ(got[0].headers["content-type"], "application/json");
  EXPECT_EQ(got[0].headers["x-team"], "social");
  EXPECT_EQ(got[0].headers["x-kilter-signature"],
            "sha256=" + pipeline::hmac_sha256_hex("s3cret", got[0].body));
  EXPECT_EQ(got[0].headers["x-kilter-signature"].size(), 7u + 64u);
}

// Standard Webhooks: the timestamp is signed (a captured request cannot be
// replayed later), taken from the injected clock; the id names the notification.
TEST_F(DeliveryTest, WebhookCarriesStandardWebhooksHeaders) {
  auto c = sink(config::SinkType::webhook, receiver_.url());
  webhook(c).secret = "whsec_" + pipeline::base64_encode("k3y-bytes");
  make(c);
  const auto before = epoch_ms(dispatcher_.now()) / 1000;
  add(1, record("acme"));
  add(2, record("acme"));  // the same notification again (a redelivery)
  add(3, record("acme", "resolved"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  const auto after = epoch_ms(dispatcher_.now()) / 1000;
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 3u);
  for (auto& g : got) {
    const auto& id = g.headers["webhook-id"];
    const auto& ts = g.headers["webhook-timestamp"];
    ASSERT_EQ(id.rfind("msg_", 0), 0u) << id;
    ASSERT_FALSE(ts.empty());
    EXPECT_GE(std::stoll(ts), before);
    EXPECT_LE(std::stoll(ts), after);
    EXPECT_EQ(g.headers["webhook-signature"],
              pipeline::standard_webhook_signature("k3y-bytes", id, std::stoll(ts), g.body));
    // The older header stays, with the same key.
    EXPECT_EQ(g.headers["x-kilter-signature"],
              "sha256=" + pipeline::hmac_sha256_hex("k3y-bytes", g.body));
  }
  EXPECT_EQ(got[0].headers["webhook-id"], got[1].headers["webhook-id"]);
  EXPECT_NE(got[0].headers["webhook-id"], got[2].headers["webhook-id"]);
}

TEST_F(DeliveryTest, SlackGetsBlocksAndAFallbackText) {
  make(sink(config::SinkType::slack, receiver_.url()));
  add(1, record("acme"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  simdjson::dom::parser p;
  auto doc = parse(p, got[0].body);
  std::string_view text;
  ASSERT_FALSE(doc["text"].get(text));
  EXPECT_NE(text.find("acme: promotional share 50% over 7d (max 40%)"), std::string::npos);
  simdjson::dom::array blocks;
  ASSERT_FALSE(doc["blocks"].get(blocks));
  EXPECT_GT(blocks.size(), 2u);
  EXPECT_NE(got[0].body.find("<https://shop.example/fr/offers|"), std::string::npos) << got[0].body;
  EXPECT_NE(got[0].body.find("promo"), std::string::npos);
}

TEST_F(DeliveryTest, TeamsGetsAnAdaptiveCard) {
  make(sink(config::SinkType::teams, receiver_.url()));
  add(1, record("acme"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u);
  simdjson::dom::parser p;
  auto doc = parse(p, got[0].body);
  std::string_view type, content_type;
  ASSERT_FALSE(doc["type"].get(type));
  EXPECT_EQ(type, "message");
  ASSERT_FALSE(doc["attachments"].at(0)["contentType"].get(content_type));
  EXPECT_EQ(content_type, "application/vnd.microsoft.card.adaptive");
  EXPECT_NE(got[0].body.find("AdaptiveCard"), std::string::npos);
  EXPECT_NE(got[0].body.find("promotional share 50%"), std::string::npos);
}

TEST_F(DeliveryTest, AlertmanagerGetsLabelsAnnotationsAndEndsAtWhenResolved) {
  auto c = sink(config::SinkType::alertmanager, receiver_.url("/"));
  c.group_wait = milliseconds(200);  // an account's alerts of the moment go together
  make(c);
  add(1, record("acme"));
  add(2, record("acme", "resolved"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 1u) << "one account's two records in one request";
  EXPECT_EQ(got[0].path, "/api/v2/alerts");
  simdjson::dom::parser p;
  auto doc = parse(p, got[0].body);
  simdjson::dom::array alerts;
  ASSERT_FALSE(doc.get(alerts));
  ASSERT_EQ(alerts.size(), 2u);
  std::string_view v;
  ASSERT_FALSE(alerts.at(0)["labels"]["alertname"].get(v));
  EXPECT_EQ(v, "too-pushy");
  ASSERT_FALSE(alerts.at(0)["labels"]["account"].get(v));
  EXPECT_EQ(v, "acme");
  ASSERT_FALSE(alerts.at(0)["labels"]["profile"].get(v));
  EXPECT_EQ(v, "brand");
  ASSERT_FALSE(alerts.at(0)["labels"]["severity"].get(v));
  EXPECT_EQ(v, "warning");
  ASSERT_FALSE(alerts.at(0)["annotations"]["summary"].get(v));
  EXPECT_NE(v.find("50%"), std::string_view::npos);
  EXPECT_FALSE(alerts.at(0)["annotations"]["description"].get(v));
  ASSERT_FALSE(alerts.at(0)["startsAt"].get(v));
  EXPECT_EQ(v, "2026-11-18T16:00:00Z");
  EXPECT_TRUE(alerts.at(0)["endsAt"].error()) << "a firing alert has no end";
  ASSERT_FALSE(alerts.at(1)["endsAt"].get(v));
  EXPECT_EQ(v, "2026-11-19T10:00:00Z");
}

TEST_F(DeliveryTest, RetriesOn500And429AndTimeoutsUntilTheReceiverTakesIt) {
  auto c = sink(config::SinkType::webhook, receiver_.url());
  webhook(c).http.timeout = milliseconds(300);
  make(c, {.retry_initial = milliseconds(50), .retry_max = milliseconds(200)});
  receiver_.script({{500, "", {}}, {429, "1", {}}, {200, "", milliseconds(1500)}, {200, "", {}}});
  add(1, record("acme"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  // 500, 429, an answer later than the timeout, then retries until one is taken
  // in time (attempts made while the receiver was stuck reach it late, too).
  ASSERT_GE(got.size(), 4u);
  for (const auto& g : got) EXPECT_EQ(g.body, record("acme"));
  // The 429 asked for a second: the next attempt waited at least that long.
  EXPECT_GE(got[2].at - got[1].at, seconds(1));
  auto stats = outbox_->sink_stats();
  EXPECT_GE(stats[0].attempts_failed, 3u);
  EXPECT_EQ(stats[0].delivered, 1u);
  EXPECT_EQ(stored_entries(), 0u);
}

TEST_F(DeliveryTest, SlacksRateLimitSpacesTheMessages) {
  make(sink(config::SinkType::slack, receiver_.url()));
  for (int i = 0; i < 3; ++i)
    add(static_cast<std::uint64_t>(i), record("acct" + std::to_string(i)));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  auto got = receiver_.received();
  ASSERT_EQ(got.size(), 3u);
  for (std::size_t i = 1; i < got.size(); ++i)
    EXPECT_GE(got[i].at - got[i - 1].at, milliseconds(990)) << i;  // 1 message per second
}

TEST_F(DeliveryTest, ARefusingReceiverIsGivenUpOnAfterThreeAttempts) {
  make(sink(config::SinkType::webhook, receiver_.url()), {.retry_initial = milliseconds(20)});
  receiver_.script({{404, "", {}}, {404, "", {}}, {404, "", {}}});
  add(1, record("acme"));
  ASSERT_TRUE(run_until([&] { return outbox_->idle(); }));
  EXPECT_EQ(receiver_.received().size(), 3u);
  EXPECT_EQ(outbox_->sink_stats()[0].rejected, 1u);
}

}  // namespace
}  // namespace kilter::daemon

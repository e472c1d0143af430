// The README's Alertmanager-to-Slack receiver, run by a real Alertmanager
// (Debian's prometheus-alertmanager) against a local Slack stand-in: text from
// the events (`<!channel>`, `<url|label>`, `&`) arrives escaped. The same alert
// through a receiver with Alertmanager's default templates arrives raw, which is
// what the README warns about.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <mutex>
#include <regex>
#include <thread>

#include "daemon/server/http_server.h"
#include "tests/e2e/alertmanager.h"

namespace kilter::testing {
namespace {

constexpr const char* kAmtool = "/usr/bin/amtool";

// One POST with a JSON body; the status (0: no answer).
int http_post(int port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return 0;
  }
  std::string req = "POST " + path +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    "Content-Type: application/json\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::write(fd, req.data(), req.size());
  char buf[256];
  auto n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 12) return 0;
  return std::stoi(std::string(buf + 9, 3));
}

// Slack's stand-in: records the bodies posted to it, by path.
class SlackStandIn {
 public:
  SlackStandIn()
      : server_(io_, [this](const daemon::HttpRequest& r) {
          std::lock_guard lock(mu_);
          got_.emplace_back(r.path, r.body);
          return daemon::HttpResponse{200, "text/plain", "ok", {}};
        }) {
    EXPECT_TRUE(server_.listen("127.0.0.1:0").ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~SlackStandIn() {
    boost::asio::post(io_, [this] { server_.stop(); });
    io_.stop();
    thread_.join();
  }
  int port() const { return server_.port(); }
  std::string body_for(const std::string& path) {
    std::lock_guard lock(mu_);
    for (const auto& [p, b] : got_)
      if (p == path) return b;
    return {};
  }

 private:
  boost::asio::io_context io_;
  daemon::HttpServer server_;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> got_;
};

std::string readme_receiver() {
  auto readme = read_file(fs::path(KILTER_SOURCE_DIR) / "README.md");
  auto begin = readme.find("<!-- alertmanager-slack:begin -->\n```yaml\n");
  auto end = readme.find("```\n<!-- alertmanager-slack:end -->");
  if (begin == std::string::npos || end == std::string::npos) return {};
  begin = readme.find("```yaml\n", begin) + 8;
  return readme.substr(begin, end - begin);
}

// title, text and fallback of the first attachment, decoded from the JSON.
std::string shown_text(const std::string& body) {
  simdjson::dom::parser p;
  simdjson::dom::element doc;
  if (p.parse(body).get(doc)) return "<not JSON: " + body + ">";
  std::string out;
  for (const char* key : {"title", "text", "fallback"}) {
    std::string_view v;
    if (!doc["attachments"].at(0)[key].get(v)) out += std::string(v) + "\n";
  }
  return out;
}

TEST(AlertmanagerSlack, TheReadmeReceiverEscapesWhatTheEventsSay) {
  if (::access(kAlertmanager, X_OK) != 0 || ::access(kAmtool, X_OK) != 0)
    GTEST_SKIP() << "prometheus-alertmanager (with amtool) is not installed (./dev setup)";
  TempDir dir;
  SlackStandIn slack;
  auto yaml = readme_receiver();
  ASSERT_FALSE(yaml.empty()) << "README.md lacks the alertmanager-slack example";
  const std::string slack_url = "http://127.0.0.1:" + std::to_string(slack.port());
  yaml = std::regex_replace(yaml, std::regex("api_url_file: [^\n]*"),
                            "api_url: " + slack_url + "/readme");
  yaml = std::regex_replace(yaml, std::regex("route:\n"),
                            "route:\n  group_wait: 1s\n  group_interval: 1s\n");
  // The same alert to a receiver with Alertmanager's default templates.
  yaml +=
      "  - name: slack-default\n    slack_configs:\n      - api_url: " + slack_url + "/default\n";
  yaml = std::regex_replace(
      yaml, std::regex("  routes:\n"),
      "  routes:\n    - {matchers: ['profile=\"brand\"'], receiver: slack-default, continue: "
      "true}\n");
  write_file(dir / "am.yml", yaml);
  auto check = run({kAmtool, "check-config", (dir / "am.yml").string()}, dir / "amtool.out",
                   dir / "amtool.err");
  ASSERT_EQ(check.code, 0) << read_file(dir / "amtool.out") << read_file(dir / "amtool.err")
                           << yaml;

  LocalAlertmanager am(dir.path(), dir / "am.yml");
  ASSERT_TRUE(am.ready()) << am.log();
  const int port = am.port();
  // As kilterd's alertmanager sink would send it, with hostile text in it.
  const std::string alert =
      R"([{"labels":{"alertname":"on-topic","account":"<!channel>","profile":"brand"},)"
      R"("annotations":{"summary":"<!channel>: personal share 42% <https://evil.example|click> & more"}}])";
  ASSERT_EQ(http_post(port, "/api/v2/alerts", alert), 200);
  ASSERT_TRUE(eventually(
      [&] { return !slack.body_for("/readme").empty() && !slack.body_for("/default").empty(); },
      std::chrono::seconds(30)))
      << read_file(dir / "am.err");

  const auto readme = shown_text(slack.body_for("/readme"));
  EXPECT_EQ(readme.find("<!channel>"), std::string::npos) << readme;
  EXPECT_EQ(readme.find("<https://"), std::string::npos) << readme;
  EXPECT_NE(readme.find("FIRING: &lt;!channel&gt;"), std::string::npos) << readme;
  EXPECT_NE(readme.find("&lt;!channel&gt;: personal share 42% &lt;https://evil.example|click&gt; "
                        "&amp; more"),
            std::string::npos)
      << readme;
  // Why the README says so: the defaults pass it through.
  const auto raw = shown_text(slack.body_for("/default"));
  EXPECT_NE(raw.find("<!channel>"), std::string::npos) << raw;
}

}  // namespace
}  // namespace kilter::testing

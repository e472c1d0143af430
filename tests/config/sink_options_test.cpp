// The sinks' typed options: each sink holds its own type's options (one struct
// per type, config/config.h), whose alternative is its type.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "config/loader.h"

namespace kilter::config {
namespace {

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

LoadResult load(const std::string& yaml) {
  return load_string(yaml, "k.yaml", "/etc/kilter");
}

// Each sink holds its own type's options, with that type's defaults.
TEST(Sinks, EachTypeHoldsItsOwnOptions) {
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - {type: file, path: /tmp/a.ndjson}
  - {type: log, rate_limit: 2}
  - {type: webhook, url: "https://example.test/hook"}
  - {type: slack, url: "https://hooks.slack.test/T/B/x", repeat_interval: 4h}
  - {type: teams, url: "https://teams.test/x", max_posts: 5}
  - {type: alertmanager, url: "http://127.0.0.1:9093"}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& s = r.config->sinks;
  ASSERT_EQ(s.size(), 6u);
  EXPECT_EQ(std::get<FileSinkOptions>(s[0].options).path, "/tmp/a.ndjson");
  EXPECT_EQ(s[1].type(), SinkType::log);
  EXPECT_EQ(s[1].rate_limit, 2);
  const auto& hook = std::get<WebhookSinkOptions>(s[2].options);
  EXPECT_EQ(hook.signature_header, "X-Kilter-Signature");
  EXPECT_EQ(hook.http.timeout, std::chrono::seconds(10));
  EXPECT_EQ(s[3].type(), SinkType::slack);
  EXPECT_EQ(s[3].repeat_interval, std::chrono::hours(4));
  EXPECT_EQ(std::get<SlackSinkOptions>(s[3].options).max_posts, 3u);
  EXPECT_EQ(std::get<TeamsSinkOptions>(s[4].options).max_posts, 5u);
  EXPECT_EQ(std::get<AlertmanagerSinkOptions>(s[5].options).resend_interval,
            std::chrono::minutes(1));
  for (auto t : {SinkType::file, SinkType::log, SinkType::kafka, SinkType::webhook, SinkType::slack,
                 SinkType::teams, SinkType::alertmanager}) {
    SinkConfig c;
    c.options = default_sink_options(t);
    EXPECT_EQ(c.type(), t);
  }
  EXPECT_EQ(SinkConfig{}.type(), SinkType::log);  // the default sink
}

}  // namespace
}  // namespace kilter::config

// Validation rules of the schema: each error with its line and key path.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

LoadResult load(const std::string& yaml) {
  return load_string(yaml, "k.yaml", "/etc/kilter");
}

// A file holding `text`, removed at the end of the test.
class TempFile {
 public:
  explicit TempFile(const std::string& text) {
    char name[] = "/tmp/kilter-config-XXXXXX";
    int fd = ::mkstemp(name);
    path_ = name;
    if (fd >= 0) {
      (void)!::write(fd, text.data(), text.size());
      ::close(fd);
    }
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

// Expects exactly one error, at `line` and `key`, whose message contains `text`.
void expect_one(const LoadResult& r, int line, const std::string& key, const std::string& text) {
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].line, line) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, key) << all_errors(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr(text));
  EXPECT_FALSE(r.config);
}

// A config whose only profile holds the given rules (as YAML flow maps).
LoadResult with_rules(const std::string& rules, const std::string& extra = "") {
  return load("source: {file: e.ndjson}\n" + extra +  // line 1 (+ extra)
              "profiles:\n"
              "  p:\n"
              "    rules:\n" +
              rules);
}

TEST(Rules, ValidRuleKeepsEveryField) {
  auto r = with_rules(
      "      - {name: drop, metric: engagement_change, window: 1d, baseline: 28d, min: -0.5,\n"
      "         min_posts: 3, for: 2h, severity: critical}\n",
      "default_profile: p\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  const Rule& rule = r.config->profiles.at("p").rules.at(0);
  EXPECT_EQ(rule.name, "drop");
  EXPECT_EQ(rule.metric, Metric::engagement_change);
  EXPECT_EQ(rule.window, std::chrono::days(1));
  EXPECT_EQ(rule.window_text, "1d");
  EXPECT_EQ(rule.baseline, Millis(std::chrono::days(28)));
  EXPECT_EQ(rule.min, -0.5);
  EXPECT_FALSE(rule.max);
  EXPECT_EQ(rule.min_posts, 3u);
  EXPECT_EQ(rule.for_, std::chrono::hours(2));
  EXPECT_EQ(rule.severity, "critical");
}

TEST(Rules, WindowTextIsKeptAsWritten) {
  auto r = with_rules("      - {name: a, metric: posts, window: 168h, max: 5}\n",
                      "default_profile: p\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->profiles.at("p").rules[0].window_text, "168h");
}

TEST(Rules, WindowMustBeAMultipleOfTheBucket) {
  auto r =
      with_rules("      - {name: a, metric: posts, window: 90m, max: 5}\n", "default_profile: p\n");
  expect_one(r, 6, "profiles.p.rules[0].window", "not a multiple of storage.bucket (1h)");
}

TEST(Rules, WindowMustBePositive) {
  auto r =
      with_rules("      - {name: a, metric: posts, window: 0, max: 5}\n", "default_profile: p\n");
  expect_one(r, 6, "profiles.p.rules[0].window", "longer than 0");
}

TEST(Rules, NameMetricAndWindowAreRequired) {
  auto r = with_rules("      - {max: 5}\n", "default_profile: p\n");
  ASSERT_EQ(r.errors.size(), 3u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "profiles.p.rules[0].name");
  EXPECT_EQ(r.errors[1].key, "profiles.p.rules[0].metric");
  EXPECT_EQ(r.errors[2].key, "profiles.p.rules[0].window");
  for (const auto& e : r.errors) EXPECT_EQ(e.line, 6);
}

TEST(Rules, UnknownMetricAndSeverity) {
  auto r = with_rules(
      "      - name: a\n"
      "        metric: likes\n"
      "        window: 1d\n"
      "        max: 1\n"
      "        severity: urgent\n",
      "default_profile: p\n");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "profiles.p.rules[0].metric");
  EXPECT_EQ(r.errors[0].line, 7);
  EXPECT_THAT(r.errors[0].message, HasSubstr("personal_share"));
  EXPECT_EQ(r.errors[1].key, "profiles.p.rules[0].severity");
  EXPECT_EQ(r.errors[1].line, 10);
}

TEST(Rules, NeedsMinOrMax) {
  auto r = with_rules("      - {name: a, metric: posts, window: 1d}\n", "default_profile: p\n");
  expect_one(r, 6, "profiles.p.rules[0]", "set min, max or both");
}

TEST(Rules, MinMustNotExceedMax) {
  auto r = with_rules(
      "      - name: a\n"
      "        metric: posts\n"
      "        window: 1d\n"
      "        min: 10\n"
      "        max: 5\n",
      "default_profile: p\n");
  expect_one(r, 10, "profiles.p.rules[0].max", "must not be lower than min");
}

TEST(Rules, SharesAreBetweenZeroAndOne) {
  auto r = with_rules("      - {name: a, metric: personal_share, window: 7d, max: 10}\n",
                      "default_profile: p\n");
  expect_one(r, 6, "profiles.p.rules[0].max", "between 0 and 1");
}

TEST(Rules, EngagementChangeNeedsALongerBaselineOnBuckets) {
  auto missing = with_rules("      - {name: a, metric: engagement_change, window: 1d, min: -0.5}\n",
                            "default_profile: p\n");
  expect_one(missing, 6, "profiles.p.rules[0].baseline", "baseline");
  auto shorter = with_rules(
      "      - {name: a, metric: engagement_change, window: 7d, baseline: 7d, min: -0.5}\n",
      "default_profile: p\n");
  expect_one(shorter, 6, "profiles.p.rules[0].baseline", "longer than window");
  auto odd = with_rules(
      "      - {name: a, metric: engagement_change, window: 1d, baseline: 1530m, min: -0.5}\n",
      "default_profile: p\n");
  expect_one(odd, 6, "profiles.p.rules[0].baseline", "not a multiple of storage.bucket");
}

TEST(Rules, BaselineIsRejectedForOtherMetrics) {
  auto r = with_rules("      - {name: a, metric: posts, window: 1d, baseline: 7d, max: 9}\n",
                      "default_profile: p\n");
  expect_one(r, 6, "profiles.p.rules[0].baseline", "only engagement_change");
}

TEST(Rules, NamesAreUniqueInAProfile) {
  auto r = with_rules(
      "      - {name: a, metric: posts, window: 1d, max: 9}\n"
      "      - {name: a, metric: posts, window: 7d, max: 50}\n",
      "default_profile: p\n");
  expect_one(r, 7, "profiles.p.rules[1].name", "already used at line 6");
}

TEST(Rules, SameMetricAndWindowMustBeMerged) {
  auto r = with_rules(
      "      - {name: low, metric: personal_share, window: 7d, min: 0.2}\n"
      "      - {name: high, metric: personal_share, window: 7d, max: 0.6}\n",
      "default_profile: p\n");
  expect_one(r, 7, "profiles.p.rules[1].window", "merge them into one rule with min and max");
  EXPECT_THAT(r.errors[0].message, HasSubstr("account/personal_share/7d"));
}

TEST(Rules, ARuleWithErrorsStillTakesPartInTheChecksAcrossRules) {
  auto r = with_rules(
      "      - {name: a, metric: personal_share, window: 7d, max: 2}\n"
      "      - {name: a, metric: personal_share, window: 168h, min: 0.1}\n",
      "default_profile: p\n");
  ASSERT_EQ(r.errors.size(), 3u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "profiles.p.rules[0].max");
  EXPECT_EQ(r.errors[1].key, "profiles.p.rules[1].name");
  EXPECT_EQ(r.errors[2].key, "profiles.p.rules[1].window");
  EXPECT_EQ(r.errors[2].line, 7);
}

TEST(Rules, RetentionMustCoverTheLongestSpan) {
  auto explicit_retention = with_rules(
      "      - {name: a, metric: engagement_change, window: 7d, baseline: 28d, min: -0.5}\n",
      "storage: {retention: 30d}\ndefault_profile: p\n");
  expect_one(explicit_retention, 2, "storage.retention", "at least 35d");
  auto default_retention =
      with_rules("      - {name: a, metric: posts, window: 60d, max: 9}\n", "default_profile: p\n");
  expect_one(default_retention, 6, "profiles.p.rules[0].window", "storage.retention (35d)");
}

TEST(Rules, BuiltInRulesAreCheckedAgainstTheBucket) {
  auto r = load("source: {file: e.ndjson}\nstorage: {bucket: 5h}\n");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].key, "storage.bucket");
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_THAT(r.errors[0].message, HasSubstr("built-in rule"));
}

TEST(Accounts, ExactlyOneOfIdOrMatchAndAKnownProfile) {
  auto r = load(R"(source: {file: e.ndjson}
accounts:
  - {id: acme, match: "acme-*", profile: brand}
  - {profile: brand}
  - {id: bob, profile: nobody}
  - {id: carol}
)");
  ASSERT_EQ(r.errors.size(), 4u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "accounts[0]");
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_THAT(r.errors[0].message, HasSubstr("not both"));
  EXPECT_EQ(r.errors[1].key, "accounts[1]");
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_EQ(r.errors[2].key, "accounts[2].profile");
  EXPECT_EQ(r.errors[2].line, 5);
  EXPECT_THAT(r.errors[2].message,
              HasSubstr("unknown profile 'nobody'; defined profiles: brand, voice"));
  EXPECT_EQ(r.errors[3].key, "accounts[3].profile");
}

TEST(Accounts, DuplicateIdIsAnError) {
  auto r = load(R"(source: {file: e.ndjson}
accounts:
  - {id: acme, profile: brand}
  - {id: acme, profile: voice}
)");
  expect_one(r, 4, "accounts[1].id", "already listed at line 3");
}

TEST(Accounts, DefaultProfileMustExistOrBeEmpty) {
  auto bad = load("source: {file: e.ndjson}\ndefault_profile: nope\n");
  expect_one(bad, 2, "default_profile", "'nope' is not a defined profile");
  auto implicit = load(R"(source: {file: e.ndjson}
profiles:
  mine: {rules: [{name: a, metric: posts, window: 1d, max: 9}]}
)");
  expect_one(implicit, 2, "default_profile", "the default 'brand'");
  auto none = load("source: {file: e.ndjson}\ndefault_profile: \"\"\n");
  ASSERT_TRUE(none.config) << all_errors(none);
  EXPECT_EQ(none.config->default_profile, "");
}

TEST(Sinks, NamesDefaultToTheTypeAndMustBeUnique) {
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - {type: file, path: a.ndjson}
  - {type: file, path: b.ndjson}
)");
  expect_one(r, 4, "sinks[1].name", "already used by the sink at line 3");
  auto ok = load(R"(source: {file: e.ndjson}
sinks:
  - {type: file, path: a.ndjson}
  - {type: file, name: second, path: b.ndjson}
  - {type: log}
)");
  ASSERT_TRUE(ok.config) << all_errors(ok);
  ASSERT_EQ(ok.config->sinks.size(), 3u);
  EXPECT_EQ(ok.config->sinks[0].name, "file");
  EXPECT_EQ(ok.config->sinks[1].name, "second");
  EXPECT_EQ(ok.config->sinks[2].type(), SinkType::log);
}

TEST(Sinks, RequiredKeysPerType) {
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - {type: file}
  - {type: kafka}
  - {type: webhook, name: hook}
  - {name: what}
)");
  ASSERT_EQ(r.errors.size(), 5u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "sinks[0].path");
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[1].key, "sinks[1].topic");
  EXPECT_EQ(r.errors[2].key, "sinks[1].type");  // a kafka sink needs the kafka section
  EXPECT_THAT(r.errors[2].message, HasSubstr("kafka section"));
  EXPECT_EQ(r.errors[3].key, "sinks[2].url");
  EXPECT_EQ(r.errors[4].key, "sinks[3].type");
}

TEST(Sinks, FileAndKafkaSinksRejectOtherKeys) {
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - type: file
    path: a.ndjson
    rotate: daily
)");
  expect_one(r, 5, "sinks[0].rotate", "allowed keys: type, name, rate_limit, group_wait, path");
}

TEST(Sinks, HttpSinksTakeTypedKeys) {
  ::setenv("KILTER_TEST_HOOK_TOKEN", "tok", 1);
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - type: webhook
    url: https://example.test/hook
    timeout: 5s
    secret: ${KILTER_TEST_HOOK_TOKEN}
    headers: {Authorization: "Bearer ${KILTER_TEST_HOOK_TOKEN}", X-Team: social}
  - {type: alertmanager, url: "http://127.0.0.1:9093", resend_interval: 30s, labels: {team: social}}
  - {type: slack, url: "https://hooks.slack.test/T/B/x", channel: "#brand", group_wait: 30s}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& s = r.config->sinks[0];
  EXPECT_EQ(s.type(), SinkType::webhook);
  const auto& hook = std::get<WebhookSinkOptions>(s.options);
  EXPECT_EQ(hook.http.url, "https://example.test/hook");
  EXPECT_EQ(hook.http.timeout, std::chrono::seconds(5));
  EXPECT_EQ(hook.secret, "tok");
  EXPECT_EQ(hook.http.headers.at("Authorization"), "Bearer tok");
  EXPECT_EQ(hook.http.headers.at("X-Team"), "social");
  EXPECT_EQ(s.rate_limit, 0);
  const auto& am = r.config->sinks[1];
  EXPECT_EQ(am.name, "alertmanager");
  const auto& am_options = std::get<AlertmanagerSinkOptions>(am.options);
  EXPECT_EQ(am_options.resend_interval, std::chrono::seconds(30));
  EXPECT_EQ(am_options.labels.at("team"), "social");
  EXPECT_EQ(am_options.http.url, "http://127.0.0.1:9093");
  const auto& slack = r.config->sinks[2];
  EXPECT_EQ(slack.rate_limit, 1);  // Slack's own limit, by default
  EXPECT_EQ(std::get<SlackSinkOptions>(slack.options).channel, "#brand");
  EXPECT_EQ(slack.group_wait, std::chrono::seconds(30));
}

TEST(Sinks, KeysOfAnotherTypeAreErrors) {
  auto r = load(R"(source: {file: e.ndjson}
sinks:
  - {type: webhook, url: "https://example.test/hook", retries: 3, channel: "#x"}
)");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "sinks[0].retries");
  EXPECT_EQ(r.errors[1].key, "sinks[0].channel");
}

TEST(Sinks, SecretsFromFilesAndNeverInMessages) {
  TempFile secret("s3cr3t-value\n");
  TempFile url("https://hooks.example.test/T/B/s3cr3t\n");
  auto r = load("source: {file: e.ndjson}\nsinks:\n  - {type: webhook, url_file: " + url.path() +
                ", secret_file: " + secret.path() + "}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& hook = std::get<WebhookSinkOptions>(r.config->sinks[0].options);
  EXPECT_EQ(hook.http.url, "https://hooks.example.test/T/B/s3cr3t");
  EXPECT_EQ(hook.secret, "s3cr3t-value");
  auto missing =
      load("source: {file: e.ndjson}\nsinks:\n  - {type: slack, url_file: /nonexistent/kilter}\n");
  expect_one(missing, 3, "sinks[0].url_file", "cannot read /nonexistent/kilter");
  TempFile bad_url("hooks.slack.test/T/B/s3cr3t\n");
  auto bad = load(
      "source: {file: e.ndjson}\nsinks:\n  - {type: slack, url_file: " + bad_url.path() + "}\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].to_string().find("s3cr3t"), std::string::npos);
  auto both = load(
      "source: {file: e.ndjson}\nsinks:\n  - {type: slack, url: \"https://x.test\", url_file: "
      "f}\n");
  expect_one(both, 3, "sinks[0].url_file", "not both");
}

TEST(Sinks, UrlMustBeHttp) {
  auto r = load("source: {file: e.ndjson}\nsinks: [{type: slack, url: hooks.slack.com/x}]\n");
  expect_one(r, 2, "sinks[0].url", "http:// or https://");
}

TEST(Sinks, EmptyListIsAnError) {
  auto r = load("source: {file: e.ndjson}\nsinks: []\n");
  expect_one(r, 2, "sinks", "no sinks");
}

TEST(Sections, EngagementWeightsOverrideOnlyTheNamedActions) {
  auto r =
      load("source: {file: e.ndjson}\npipeline: {engagement_weights: {like: 0.5, click: 3}}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->pipeline.engagement_weights,
            (std::array<double, kActions>{2, 2, 2, 0.5, 3, 0}));
  auto neg = load("source: {file: e.ndjson}\npipeline:\n  engagement_weights:\n    reply: -1\n");
  expect_one(neg, 4, "pipeline.engagement_weights.reply", "must be >= 0");
  // Bounded, so that weight x count (count <= 2^32 - 1) cannot overflow.
  auto at_max = load("source: {file: e.ndjson}\npipeline: {engagement_weights: {like: 1000000}}\n");
  ASSERT_TRUE(at_max.config) << all_errors(at_max);
  auto huge = load("source: {file: e.ndjson}\npipeline:\n  engagement_weights:\n    like: 1e300\n");
  expect_one(huge, 4, "pipeline.engagement_weights.like", "must be at most 1000000");
  auto unknown = load("source: {file: e.ndjson}\npipeline: {engagement_weights: {share: 1}}\n");
  expect_one(unknown, 2, "pipeline.engagement_weights.share", "allowed keys: reply, repost");
}

TEST(Sections, LanguagesAreLimitedToTheShippedLexicons) {
  auto r = load("source: {file: e.ndjson}\nclassifier:\n  languages: [en, de]\n");
  expect_one(r, 3, "classifier.languages[1]", "expected one of en, fr (got 'de')");
}

TEST(Sections, HttpListenNeedsHostAndPort) {
  for (const char* good :
       {"127.0.0.1:9464", "[::1]:0", "0.0.0.0:8080", "[::]:9464", "localhost:8080"}) {
    auto r = load(std::string("source: {file: e.ndjson}\nhttp: {listen: \"") + good + "\"}\n");
    EXPECT_TRUE(r.config) << good << "\n" << all_errors(r);
  }
  for (const char* bad : {"9464", "127.0.0.1:", ":9464", "::1:9464", "host:70000", "h:x"}) {
    auto r = load(std::string("source: {file: e.ndjson}\nhttp: {listen: \"") + bad + "\"}\n");
    EXPECT_EQ(r.errors.size(), 1u) << bad;
  }
}

// What the server cannot bind is refused by check-config, with its line: a name
// (the daemon resolves none at start-up), an impossible address or port.
TEST(Sections, HttpListenMustBeAnAddressTheServerCanBind) {
  for (const char* bad : {"300.1.1.1:80", "localhost:99999", "nonsense", "metrics.local:80",
                          "127.0.0.1", "[127.0.0.1]:80", "[::1", "1.2.3:80", "127.0.0.1:-1"}) {
    auto r = load(std::string("source: {file: e.ndjson}\nhttp: {listen: \"") + bad + "\"}\n");
    ASSERT_EQ(r.errors.size(), 1u) << bad << "\n" << all_errors(r);
    EXPECT_EQ(r.errors[0].key, "http.listen") << bad;
    EXPECT_EQ(r.errors[0].line, 2) << bad;
  }
}

TEST(Sections, WebhookWhsecSecretMustBeBase64) {
  auto good = load(
      "source: {file: e.ndjson}\nsinks:\n  - {type: webhook, url: \"http://h/x\", secret: "
      "whsec_czNjcmV0}\n");
  EXPECT_TRUE(good.config) << all_errors(good);
  auto bad = load(
      "source: {file: e.ndjson}\nsinks:\n  - {type: webhook, url: \"http://h/x\", secret: "
      "\"whsec_not base64\"}\n");
  ASSERT_EQ(bad.errors.size(), 1u) << all_errors(bad);
  EXPECT_EQ(bad.errors[0].line, 3);
  EXPECT_THAT(bad.errors[0].message, HasSubstr("whsec_"));
  EXPECT_THAT(bad.errors[0].message, Not(HasSubstr("not base64")));
}

TEST(Sections, HttpConnectionBounds) {
  auto r = load(R"(source: {file: e.ndjson}
http: {max_connections: 64, max_connections_per_client: 4, idle_timeout: 5s, request_timeout: 2s}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->http.max_connections, 64u);
  EXPECT_EQ(r.config->http.max_connections_per_client, 4u);
  EXPECT_EQ(r.config->http.idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(r.config->http.request_timeout, std::chrono::seconds(2));
  auto d = load("source: {file: e.ndjson}\n");
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.config->http.max_connections, 256u);
  EXPECT_EQ(d.config->http.max_connections_per_client, 32u);
  EXPECT_EQ(d.config->http.idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(d.config->http.request_timeout, std::chrono::seconds(10));
  auto bad = load(R"(source: {file: e.ndjson}
http: {max_connections: 0, max_connections_per_client: -1, idle_timeout: 0s, request_timeout: x}
)");
  EXPECT_EQ(bad.errors.size(), 4u) << all_errors(bad);
}

TEST(Sections, KafkaPropertiesMustNotDuplicateOwnKeys) {
  auto r = load(R"(kafka:
  topics: []
  properties:
    bootstrap.servers: x:1
)");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "kafka.topics");
  EXPECT_THAT(r.errors[0].message, HasSubstr("at least one topic"));
  EXPECT_EQ(r.errors[1].key, "kafka.properties.bootstrap.servers");
  EXPECT_EQ(r.errors[1].line, 4);
  EXPECT_THAT(r.errors[1].message, HasSubstr("kafka.brokers"));
}

TEST(Sections, SourceNeedsAFile) {
  auto r = load("source: {}\n");
  expect_one(r, 1, "source.file", "missing");
}

}  // namespace
}  // namespace kilter::config

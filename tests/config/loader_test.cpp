// Loading: defaults, file handling, error reporting (positions, keys, several at
// once), YAML-level problems, ${VAR} expansion and path resolution.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/loader.h"
#include "tests/support/config_docs.h"

namespace kilter::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("kilter-config-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

LoadResult load(const std::string& yaml) {
  return load_string(yaml, "k.yaml", "/etc/kilter");
}

const ConfigError* find(const LoadResult& r, const std::string& key) {
  for (const auto& e : r.errors)
    if (e.key == key) return &e;
  return nullptr;
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

TEST(Loader, MinimalFileSourceLoadsWithDefaults) {
  TempDir dir;
  auto path = dir.write("kilter.yaml", "source: {file: events.ndjson}\n");
  auto r = load_file(path);
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  ASSERT_TRUE(r.config.has_value());
  const Config& c = *r.config;
  EXPECT_EQ(c.file, path);
  ASSERT_TRUE(c.source.has_value());
  EXPECT_EQ(c.source->path, (dir.path() / "events.ndjson").string());
  EXPECT_FALSE(c.kafka.has_value());
  EXPECT_EQ(c.storage.path, (dir.path() / "kilter-state").string());
  EXPECT_EQ(c.storage.bucket, std::chrono::hours(1));
  EXPECT_EQ(c.storage.retention, std::chrono::days(35));
  EXPECT_EQ(c.storage.commit_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(c.storage.commit_max_events, 50'000u);
  EXPECT_EQ(c.storage.block_cache_mib, 32u);
  EXPECT_EQ(c.storage.memtable_mib, 64u);
  EXPECT_EQ(c.pipeline.allowed_lateness, std::chrono::minutes(10));
  EXPECT_EQ(c.pipeline.max_event_bytes, 64u * 1024);
  EXPECT_EQ(c.pipeline.max_future_skew, std::chrono::hours(1));
  EXPECT_EQ(c.pipeline.dedupe_max_ids, 1'000'000u);
  EXPECT_EQ(c.pipeline.post_cache_posts, 1'000'000u);
  EXPECT_EQ(c.pipeline.engagement_weights, (std::array<double, kActions>{2, 2, 2, 1, 1, 0}));
  EXPECT_EQ(c.classifier.languages, (std::vector<std::string>{"en", "fr"}));
  EXPECT_EQ(c.default_profile, "brand");
  EXPECT_EQ(c.profiles.size(), 2u);
  ASSERT_EQ(c.sinks.size(), 1u);
  EXPECT_EQ(c.sinks[0].type(), SinkType::log);
  EXPECT_EQ(c.sinks[0].name, "log");
  EXPECT_EQ(c.http.listen, "127.0.0.1:9464");
  EXPECT_EQ(c.log.level, "info");
}

TEST(Loader, BuiltInProfilesWhenNoneAreWritten) {
  auto r = load("source: {file: -}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->source->path, "-");
  const auto& p = r.config->profiles;
  ASSERT_TRUE(p.count("brand") && p.count("voice"));
  const auto& brand = p.at("brand").rules;
  ASSERT_EQ(brand.size(), 3u);
  EXPECT_EQ(brand[0].name, "brand-on-topic");
  EXPECT_EQ(brand[0].metric, Metric::personal_share);
  EXPECT_EQ(brand[0].window, std::chrono::days(7));
  EXPECT_EQ(brand[0].window_text, "7d");
  EXPECT_EQ(brand[0].max, 0.10);
  EXPECT_FALSE(brand[0].min);
  EXPECT_EQ(brand[0].min_posts, 10u);
  EXPECT_EQ(brand[1].name, "chatter");
  EXPECT_EQ(brand[1].metric, Metric::posts);
  EXPECT_EQ(brand[1].window_text, "1d");
  EXPECT_EQ(brand[1].max, 30);
  EXPECT_EQ(brand[2].name, "too-pushy");
  EXPECT_EQ(brand[2].metric, Metric::promotional_share);
  EXPECT_EQ(brand[2].max, 0.40);
  const auto& voice = p.at("voice").rules;
  ASSERT_EQ(voice.size(), 2u);
  EXPECT_EQ(voice[0].name, "show-the-person");
  EXPECT_EQ(voice[0].min, 0.20);
  EXPECT_EQ(voice[0].max, 0.60);
  EXPECT_EQ(voice[0].severity, "warning");
  EXPECT_EQ(voice[1].name, "too-pushy");
}

TEST(Loader, WrittenProfilesReplaceTheBuiltInOnes) {
  auto r = load(R"(source: {file: e.ndjson}
default_profile: mine
profiles:
  mine:
    rules:
      - {name: quiet, metric: posts, window: 1d, min: 1}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->profiles.size(), 1u);
  EXPECT_EQ(r.config->profiles.count("brand"), 0u);
}

TEST(Loader, NoInputIsAnError) {
  auto r = load("storage: {bucket: 1h}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].message, "no input: set source.file or kafka");
  EXPECT_FALSE(r.config);
}

TEST(Loader, KafkaAloneIsAnInput) {
  auto r = load(R"(kafka:
  brokers: b1:9092,b2:9092
  topics: [a, b]
  properties: {security.protocol: ssl, enable.auto.commit: false, fetch.wait.max.ms: 10}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& k = *r.config->kafka;
  EXPECT_EQ(k.brokers, "b1:9092,b2:9092");
  EXPECT_EQ(k.group_id, "kilter");
  EXPECT_EQ(k.topics, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(k.properties.at("security.protocol"), "ssl");
  EXPECT_EQ(k.properties.at("enable.auto.commit"), "false");
  EXPECT_EQ(k.properties.at("fetch.wait.max.ms"), "10");
}

TEST(Loader, MissingFileIsAnError) {
  TempDir dir;
  auto path = (dir.path() / "nope.yaml").string();
  auto r = load_file(path);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, path);
  EXPECT_THAT(r.errors[0].to_string(), HasSubstr("cannot read"));
  auto d = load_file(dir.path().string());
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_THAT(d.errors[0].message, HasSubstr("directory"));
}

TEST(Loader, ErrorToStringNamesFileLineColumnAndKey) {
  ConfigError e{"k.yaml", 3, 7, "storage.bucket", "must be longer than 0"};
  EXPECT_EQ(e.to_string(), "k.yaml:3:7: storage.bucket: must be longer than 0");
  ConfigError whole{"k.yaml", 0, 0, "", "no input"};
  EXPECT_EQ(whole.to_string(), "k.yaml: no input");
}

TEST(Loader, UnknownKeysAreErrorsAtEveryLevel) {
  auto r = load(R"(source: {file: e.ndjson}
stroage: {}
storage:
  bucket: 1h
  retension: 30d
)");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "stroage");
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].column, 1);
  EXPECT_THAT(r.errors[0].message, HasSubstr("unknown key 'stroage'"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed keys: source, kafka, storage"));
  EXPECT_EQ(r.errors[1].key, "storage.retension");
  EXPECT_EQ(r.errors[1].line, 5);
  EXPECT_EQ(r.errors[1].column, 3);
  EXPECT_THAT(r.errors[1].message, HasSubstr("retention"));
}

TEST(Loader, TheRemovedDedupeHorizonSaysWhatReplacedIt) {
  auto r = load(R"(source: {file: e.ndjson}
storage:
  dedupe_horizon: 7d
)");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "storage.dedupe_horizon");
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_THAT(r.errors[0].message, HasSubstr("allowed_lateness"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("pipeline.dedupe_max_ids"));
}

TEST(Loader, DuplicateKeysAreErrors) {
  auto r = load(R"(source: {file: e.ndjson}
storage:
  bucket: 1h
  bucket: 2h
)");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "storage.bucket");
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_THAT(r.errors[0].message, HasSubstr("duplicate key 'bucket' (first written at line 3)"));
}

TEST(Loader, YamlSyntaxErrorHasTheParserLine) {
  auto r = load("source: {file: e.ndjson}\nstorage:\n  bucket: [1h\n  path: x\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_THAT(r.errors[0].message, HasSubstr("YAML syntax error"));
  EXPECT_GE(r.errors[0].line, 3);
  auto bad = load("source: {file: e.ndjson}\n  oops: 1\n");
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].line, 2);
}

TEST(Loader, NonMappingDocumentIsAnError) {
  auto r = load("- a\n- b\n");
  ASSERT_FALSE(r.errors.empty());
  EXPECT_THAT(r.errors[0].message, HasSubstr("expected a mapping"));
}

TEST(Loader, MaxFutureSkewIsADuration) {
  auto r = load("source: {file: e.ndjson}\npipeline: {max_future_skew: 5m}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->pipeline.max_future_skew, std::chrono::minutes(5));
  auto zero = load("source: {file: e.ndjson}\npipeline: {max_future_skew: 0s}\n");
  ASSERT_TRUE(zero.config) << all_errors(zero);
  EXPECT_EQ(zero.config->pipeline.max_future_skew, Millis{0});
  auto bad = load("source: {file: e.ndjson}\npipeline: {max_future_skew: soon}\n");
  ASSERT_EQ(bad.errors.size(), 1u) << all_errors(bad);
  EXPECT_EQ(bad.errors[0].key, "pipeline.max_future_skew");
  EXPECT_EQ(bad.errors[0].line, 2);
}

TEST(Loader, WrongTypesSayWhatWasExpected) {
  auto r = load(R"(source: {file: e.ndjson}
storage: {bucket: an hour, commit_max_events: -5}
pipeline: {max_event_bytes: 0}
classifier: {min_confidence: high}
http: [a]
)");
  ASSERT_EQ(r.errors.size(), 5u) << all_errors(r);
  const auto* bucket = find(r, "storage.bucket");
  ASSERT_TRUE(bucket);
  EXPECT_EQ(bucket->line, 2);
  EXPECT_EQ(bucket->message, "expected a duration like 30s, 1h, 7d (got 'an hour')");
  EXPECT_THAT(find(r, "storage.commit_max_events")->message, HasSubstr("whole number"));
  EXPECT_EQ(find(r, "pipeline.max_event_bytes")->message, "must be at least 1");
  EXPECT_EQ(find(r, "classifier.min_confidence")->message, "expected a number (got 'high')");
  EXPECT_THAT(find(r, "http")->message, HasSubstr("expected a mapping"));
}

TEST(Loader, SeveralErrorsAreReportedAtOnceInFileOrder) {
  auto r = load(R"(source: {file: e.ndjson}
log: {level: loud}
storage: {bucket: 0}
http: {listen: localhost}
sinks:
  - {type: pager}
)");
  ASSERT_EQ(r.errors.size(), 4u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "log.level");
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[1].key, "storage.bucket");
  EXPECT_EQ(r.errors[1].line, 3);
  EXPECT_EQ(r.errors[2].key, "http.listen");
  EXPECT_EQ(r.errors[2].line, 4);
  EXPECT_EQ(r.errors[3].key, "sinks[0].type");
  EXPECT_EQ(r.errors[3].line, 6);
  EXPECT_THAT(r.errors[3].message, HasSubstr("expected one of file, log, kafka"));
}

// What each reference expanded to is kept, so output can show the reference.
TEST(Loader, ExpansionsAreRecordedWithTheirReference) {
  ::setenv("KILTER_TEST_EXPANSION", "hunter2-value", 1);
  ::setenv("KILTER_TEST_EMPTY", "", 1);
  auto r = load(
      "source: {file: e.ndjson}\nhttp: {token: \"x-${KILTER_TEST_EXPANSION}\"}\n"
      "log: {level: \"info${KILTER_TEST_EMPTY}\"}\n");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_EQ(r.config->http.token, "x-hunter2-value");
  EXPECT_EQ(r.config->expansions,
            (std::map<std::string, std::string>{{"hunter2-value", "${KILTER_TEST_EXPANSION}"}}));
}

TEST(Loader, EnvironmentVariablesAreExpandedPerScalar) {
  ::setenv("KILTER_TEST_BROKERS", "broker-1:9092", 1);
  ::setenv("KILTER_TEST_SECRET", "p4$$w0rd", 1);
  auto r = load(R"(kafka:
  brokers: ${KILTER_TEST_BROKERS}
  topics: ["pre-${KILTER_TEST_BROKERS}-post"]
  properties: {sasl.password: "${KILTER_TEST_SECRET}", note: "costs $$5", lone: a$b}
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& k = *r.config->kafka;
  EXPECT_EQ(k.brokers, "broker-1:9092");
  EXPECT_EQ(k.topics[0], "pre-broker-1:9092-post");
  EXPECT_EQ(k.properties.at("sasl.password"), "p4$$w0rd");  // values are not re-expanded
  EXPECT_EQ(k.properties.at("note"), "costs $5");
  EXPECT_EQ(k.properties.at("lone"), "a$b");
}

TEST(Loader, UnsetVariableIsAnErrorNamingIt) {
  ::unsetenv("KILTER_TEST_UNSET");
  auto r = load(R"(source: {file: e.ndjson}
kafka:
  brokers: ${KILTER_TEST_UNSET}
)");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "kafka.brokers");
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].message, "environment variable KILTER_TEST_UNSET is not set");
}

TEST(Loader, ExpandedValuesNeverAppearInErrors) {
  ::setenv("KILTER_TEST_TOKEN", "hunter2-secret", 1);
  auto r = load(R"(source: {file: e.ndjson}
storage: {retention: "${KILTER_TEST_TOKEN}"}
sinks:
  - {type: slack, url: "${KILTER_TEST_TOKEN}"}
)");
  ASSERT_EQ(r.errors.size(), 2u) << all_errors(r);
  EXPECT_THAT(all_errors(r), Not(HasSubstr("hunter2")));
  EXPECT_THAT(find(r, "storage.retention")->message, HasSubstr("${KILTER_TEST_TOKEN}"));
}

TEST(Loader, UnterminatedReferenceIsAnError) {
  auto r = load("source: {file: \"${HOME\"}\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "source.file");
  EXPECT_THAT(r.errors[0].message, HasSubstr("$$"));
}

TEST(Loader, RelativePathsResolveAgainstTheConfigDirectory) {
  TempDir dir;
  auto path = dir.write("conf/kilter.yaml", R"(source: {file: ../data/events.ndjson}
storage: {path: state}
classifier: {extra_lexicons: [lex/extra.tsv, /opt/lex.tsv]}
sinks:
  - {type: file, path: out/alerts.ndjson}
  - {type: file, name: abs, path: /var/log/a.ndjson}
)");
  auto r = load_file(path);
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto conf = dir.path() / "conf";
  EXPECT_EQ(r.config->source->path, (dir.path() / "data/events.ndjson").string());
  EXPECT_EQ(r.config->storage.path, (conf / "state").string());
  EXPECT_EQ(r.config->classifier.extra_lexicons,
            (std::vector<std::string>{(conf / "lex/extra.tsv").string(), "/opt/lex.tsv"}));
  EXPECT_EQ(std::get<FileSinkOptions>(r.config->sinks[0].options).path,
            (conf / "out/alerts.ndjson").string());
  EXPECT_EQ(std::get<FileSinkOptions>(r.config->sinks[1].options).path, "/var/log/a.ndjson");

  auto s = load_string("source: {file: e.ndjson}\n", "inline", "/srv/k");
  ASSERT_TRUE(s.config);
  EXPECT_EQ(s.config->source->path, "/srv/k/e.ndjson");
  EXPECT_EQ(s.config->storage.path, "/srv/k/kilter-state");
}

TEST(Loader, TheReadmesRoutingExampleLoads) {
  ::setenv("TEAMS_EXEC_WEBHOOK", "https://teams.example/workflows/x", 1);
  auto yaml = test_support::documented("README.md", "routing-example");
  // The Slack URL file of the example, under a directory of this test's own.
  auto dir = std::filesystem::temp_directory_path() / "kilter-readme-example";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "slack-brand.url") << "https://hooks.slack.example/T/B/x\n";
  auto at = yaml.find("/etc/kilter/slack-brand.url");
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, 27, (dir / "slack-brand.url").string());
  auto r = load_string(yaml, "README.md", "/etc/kilter");
  ASSERT_TRUE(r.config) << all_errors(r);
  // Where its routes send alerts: tests/pipeline/rules/routing_test.cpp.
  EXPECT_FALSE(r.config->routes.empty());
  std::filesystem::remove_all(dir);
}

TEST(Loader, DocumentedExampleLoads) {
  ::setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.example/T000/B000", 1);
  ::setenv("KAFKA_PASSWORD", "pw", 1);
  ::setenv("WEBHOOK_SECRET", "s", 1);
  std::ifstream in(std::string(KILTER_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(in) << "docs/configuration.md";
  std::string line, yaml;
  bool inside = false, found = false;
  while (std::getline(in, line)) {
    if (line == "<!-- example:begin -->")
      inside = found = true;
    else if (line == "<!-- example:end -->")
      inside = false;
    else if (inside && !line.starts_with("```"))
      yaml += line + "\n";
  }
  ASSERT_TRUE(found);
  auto r = load_string(yaml, "configuration.md", "/etc/kilter");
  ASSERT_TRUE(r.config) << all_errors(r);
  EXPECT_TRUE(r.config->kafka);
  EXPECT_GE(r.config->sinks.size(), 3u);
}

}  // namespace
}  // namespace kilter::config

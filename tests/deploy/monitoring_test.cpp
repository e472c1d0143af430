// The monitoring examples: promtool accepts the Prometheus configuration and
// rules and their unit tests pass; the Grafana dashboard is valid JSON whose
// queries parse as PromQL; and every kilter_* metric (and label) the dashboard,
// the rules and the README name is one a daemon running the shipped
// configuration exposes, while the README describes every metric it exposes.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "tests/deploy/tools.h"

namespace kilter::testing {
namespace {

const fs::path kSource(KILTER_SOURCE_DIR);
const fs::path kPrometheus = kSource / "deploy/prometheus";
const fs::path kDashboard = kSource / "deploy/grafana/kilter-dashboard.json";

// Labels Prometheus adds to every scraped series, and the histogram bucket label.
const std::set<std::string> kScrapeLabels{"instance", "job", "le"};

std::set<std::string> all_matches(const std::string& text, const std::regex& re, int group = 1) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[group].str());
  return out;
}

// A metric name: kilter_ and a word starting with a letter (so that a file name
// like kilter_0.1.0-1_amd64.deb is not one).
const std::regex kMetricName(R"((?:^|[^a-zA-Z0-9_])(kilter_[a-z][a-z0-9_]*[a-z0-9]))");

// A string field of a JSON object; empty when it is absent.
std::string_view field(simdjson::dom::element object, const char* key) {
  std::string_view out;
  if (object[key].get(out) != simdjson::SUCCESS) return {};
  return out;
}

struct Query {
  std::string where;  // panel or rule, for messages
  std::string expr;
  std::string legend;
};

// Every target of every panel (rows included), with Grafana's variables
// replaced by values PromQL accepts.
std::vector<Query> dashboard_queries(simdjson::dom::array panels) {
  std::vector<Query> out;
  for (auto panel : panels) {
    auto title = field(panel, "title");
    simdjson::dom::array targets;
    if (!panel["targets"].get(targets))
      for (auto t : targets) {
        std::string_view expr;
        EXPECT_FALSE(t["expr"].get(expr)) << title;
        auto legend = field(t, "legendFormat");
        auto e = replace_all(std::string(expr), "$__rate_interval", "5m");
        e = replace_all(e, "$instance", ".*");
        out.push_back({std::string(title), e, std::string(legend)});
      }
    simdjson::dom::array nested;
    if (!panel["panels"].get(nested)) {
      auto inner = dashboard_queries(nested);
      out.insert(out.end(), inner.begin(), inner.end());
    }
  }
  return out;
}

std::vector<Query> rule_queries() {
  std::vector<Query> out;
  auto doc = YAML::LoadFile((kPrometheus / "kilter-rules.yml").string());
  for (const auto& group : doc["groups"])
    for (const auto& rule : group["rules"])
      out.push_back({rule["alert"].as<std::string>(), rule["expr"].as<std::string>(), {}});
  return out;
}

TEST(Prometheus, PromtoolAcceptsTheConfigurationAndRules) {
  auto promtool = find_tool("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool is not installed (./dev setup)";
  TempDir dir;
  auto config = run_tool(dir.path(),
                         {promtool, "check", "config", (kPrometheus / "prometheus.yml").string()});
  EXPECT_EQ(config.code, 0) << config.out << config.err;
  // check config also loads the rule files it names.
  EXPECT_NE(config.out.find("1 rule files found"), std::string::npos) << config.out;
  auto rules = run_tool(dir.path(),
                        {promtool, "check", "rules", (kPrometheus / "kilter-rules.yml").string()});
  EXPECT_EQ(rules.code, 0) << rules.out << rules.err;
  EXPECT_EQ(rules.out.find("WARNING"), std::string::npos) << rules.out;
}

TEST(Prometheus, AlertsFireWhenTheyShouldAndOnlyThen) {
  auto promtool = find_tool("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool is not installed (./dev setup)";
  TempDir dir;
  auto r = run_tool(dir.path(),
                    {promtool, "test", "rules", (kPrometheus / "kilter-rules.test.yml").string()});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SUCCESS"), std::string::npos) << r.out;
  // Every alert of the rules file has a case.
  auto cases = read_file(kPrometheus / "kilter-rules.test.yml");
  for (const auto& q : rule_queries())
    EXPECT_NE(cases.find("alertname: " + q.where + "\n"), std::string::npos) << q.where;
}

class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    json_ = simdjson::padded_string(read_file(kDashboard));
    ASSERT_FALSE(parser_.parse(json_).get(doc_)) << "not valid JSON: " << kDashboard;
  }
  simdjson::padded_string json_;
  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
};

TEST_F(Dashboard, IsAWellFormedGrafanaDashboard) {
  std::string_view title, uid;
  EXPECT_FALSE(doc_["title"].get(title));
  EXPECT_FALSE(doc_["uid"].get(uid));
  EXPECT_FALSE(uid.empty());
  simdjson::dom::array panels;
  ASSERT_FALSE(doc_["panels"].get(panels));
  std::set<std::int64_t> ids;
  for (auto p : panels) {
    std::int64_t id = 0, x = 0, w = 0, h = 0;
    std::string_view type;
    ASSERT_FALSE(p["id"].get(id));
    ASSERT_FALSE(p["type"].get(type));
    EXPECT_TRUE(ids.insert(id).second) << "duplicate panel id " << id;
    ASSERT_FALSE(p["gridPos"]["x"].get(x)) << id;
    ASSERT_FALSE(p["gridPos"]["w"].get(w)) << id;
    ASSERT_FALSE(p["gridPos"]["h"].get(h)) << id;
    EXPECT_LE(x + w, 24) << "panel " << id << " is wider than the grid";
    EXPECT_GT(h, 0) << id;
    if (type == "row") continue;
    simdjson::dom::array targets;
    ASSERT_FALSE(p["targets"].get(targets)) << "panel " << id << " has no query";
    std::set<std::string_view> refs;
    for (auto t : targets) {
      std::string_view ref;
      ASSERT_FALSE(t["refId"].get(ref));
      EXPECT_TRUE(refs.insert(ref).second) << "duplicate refId in panel " << id;
    }
    EXPECT_GT(refs.size(), 0u) << id;
  }
}

TEST_F(Dashboard, QueriesAreValidPromQL) {
  auto promtool = find_tool("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool is not installed (./dev setup)";
  simdjson::dom::array panels;
  ASSERT_FALSE(doc_["panels"].get(panels));
  auto queries = dashboard_queries(panels);
  ASSERT_GT(queries.size(), 20u);
  // promtool parses standalone expressions as recording rules.
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq << YAML::BeginMap
      << YAML::Key << "name" << YAML::Value << "dashboard" << YAML::Key << "rules" << YAML::Value
      << YAML::BeginSeq;
  for (std::size_t i = 0; i < queries.size(); ++i)
    out << YAML::BeginMap << YAML::Key << "record" << YAML::Value
        << "dashboard:query_" + std::to_string(i) << YAML::Key << "expr" << YAML::Value
        << queries[i].expr << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  TempDir dir;
  write_file(dir / "queries.yml", out.c_str());
  auto r = run_tool(dir.path(), {promtool, "check", "rules", (dir / "queries.yml").string()});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
}

// What a daemon running the shipped configuration serves on /metrics: metric
// names (histograms with their _bucket, _sum and _count) and each one's labels.
class LiveMetrics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    ShippedDaemon d(dir_->path());
    if (d.brokers().empty() || !d.consuming()) {
      failure_ = "the daemon did not start consuming:\n" + d.log();
      return;
    }
    text_ = d.get("/metrics").body;
    families_ = all_matches(text_, std::regex(R"((?:^|\n)# TYPE (kilter_[a-z0-9_]+) )"));
    for (const auto& h :
         all_matches(text_, std::regex(R"((?:^|\n)# TYPE (kilter_[a-z0-9_]+) histogram)")))
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names_.insert(h + suffix);
    names_.insert(families_.begin(), families_.end());
    const std::regex sample(R"((?:^|\n)(kilter_[a-z0-9_]+)\{([^}]*)\})");
    for (std::sregex_iterator it(text_.begin(), text_.end(), sample), end; it != end; ++it) {
      auto labels = (*it)[2].str();
      for (const auto& l : all_matches(labels, std::regex(R"(([a-zA-Z_][a-zA-Z0-9_]*)=")")))
        labels_[(*it)[1].str()].insert(l);
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(failure_.empty()) << failure_; }

  // The metrics `q` names are exposed; its label selectors, `by (...)` labels
  // and legend placeholders are labels of the metrics it names.
  static void check(const Query& q) {
    auto used = all_matches(q.expr, kMetricName);
    std::set<std::string> known = kScrapeLabels;
    for (const auto& name : used) {
      EXPECT_TRUE(names_.contains(name)) << q.where << ": " << name << " is not exposed";
      auto it = labels_.find(name);
      if (it != labels_.end()) known.insert(it->second.begin(), it->second.end());
    }
    const std::regex selector(R"((kilter_[a-z0-9_]+)\{([^}]*)\})");
    for (std::sregex_iterator it(q.expr.begin(), q.expr.end(), selector), end; it != end; ++it) {
      auto own = labels_[(*it)[1].str()];
      own.insert(kScrapeLabels.begin(), kScrapeLabels.end());
      auto sel = (*it)[2].str();
      for (const auto& l :
           all_matches(sel, std::regex(R"(([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=))")))
        EXPECT_TRUE(own.contains(l)) << q.where << ": " << (*it)[1] << " has no label " << l;
    }
    for (const auto& group : all_matches(q.expr, std::regex(R"(by \(([^)]*)\))")))
      for (const auto& l : all_matches(group, std::regex(R"(([a-zA-Z_][a-zA-Z0-9_]*))")))
        EXPECT_TRUE(known.contains(l)) << q.where << ": no metric of the query has label " << l;
    for (const auto& l : all_matches(q.legend, std::regex(R"(\{\{\s*([a-zA-Z_]+)\s*\}\})")))
      EXPECT_TRUE(known.contains(l)) << q.where << ": legend label " << l;
  }

  static inline TempDir* dir_ = nullptr;
  static inline std::string failure_, text_;
  static inline std::set<std::string> families_, names_;
  static inline std::map<std::string, std::set<std::string>> labels_;
};

TEST_F(LiveMetrics, DashboardQueriesOnlyExposedMetrics) {
  simdjson::dom::parser parser;
  simdjson::padded_string json(read_file(kDashboard));
  simdjson::dom::element doc;
  ASSERT_FALSE(parser.parse(json).get(doc));
  simdjson::dom::array panels;
  ASSERT_FALSE(doc["panels"].get(panels));
  auto queries = dashboard_queries(panels);
  for (const auto& q : queries) check(q);
  // Descriptions name metrics too: they must exist as well.
  for (const auto& name : all_matches(std::string(json.data(), json.size()), kMetricName))
    EXPECT_TRUE(names_.contains(name)) << name << " is named in the dashboard, not exposed";
  // The figures the operations issue asks for are all on the dashboard.
  std::string all;
  for (const auto& q : queries) all += q.expr + "\n";
  for (const char* name :
       {"kilter_events_total", "kilter_consumer_lag_messages",
        "kilter_commit_duration_seconds_bucket", "kilter_commit_batch_messages_bucket",
        "kilter_rocksdb_sst_bytes", "kilter_rocksdb_pending_compaction_bytes",
        "kilter_rocksdb_write_stopped", "kilter_alerts", "kilter_alert_deliveries_total",
        "kilter_outbox_entries", "kilter_config_last_reload_successful"})
    EXPECT_TRUE(all_matches(all, kMetricName).contains(name)) << name << " is not on the dashboard";
}

TEST_F(LiveMetrics, AlertRulesQueryOnlyExposedMetrics) {
  for (const auto& q : rule_queries()) check(q);
  auto text = read_file(kPrometheus / "kilter-rules.yml");
  for (const auto& name : all_matches(text, kMetricName))
    EXPECT_TRUE(names_.contains(name)) << name << " is named in the rules, not exposed";
}

TEST_F(LiveMetrics, ReadmeDescribesExactlyTheExposedMetrics) {
  auto readme = read_file(kSource / "README.md");
  auto named = all_matches(readme, kMetricName);
  for (const auto& family : families_)
    EXPECT_TRUE(named.contains(family)) << family << " is exposed but not in the README";
  for (const auto& name : named)
    EXPECT_TRUE(names_.contains(name)) << name << " is in the README but not exposed";
}

}  // namespace
}  // namespace kilter::testing

// Where alerts go (pipeline/rules/routing.h): the routes of a loaded
// configuration applied to alerts, and the matchers mute windows and
// inhibitions share. Reading and validating them: tests/config/routing_test.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/loader.h"
#include "pipeline/rules/routing.h"

namespace kilter::pipeline {
namespace {

using config::Config;
using config::Rule;

constexpr const char* kBase = R"(source: {file: e.ndjson}
profiles:
  brand:
    rules:
      - {name: gone-silent, metric: posts, window: 1d, min: 1}
      - {name: engagement-drop, metric: engagement_change, window: 1d, baseline: 7d, min: -0.5}
      - {name: too-pushy, metric: promotional_share, window: 7d, max: 0.4, severity: critical}
  voice:
    rules:
      - {name: show-the-person, metric: personal_share, window: 7d, min: 0.2}
sinks:
  - {type: file, path: all.ndjson}
  - {type: slack, name: brand-slack, url: "https://hooks.slack.test/a"}
  - {type: teams, name: exec-teams, url: "https://teams.test/b"}
)";

AccountRef A(std::string_view s) {
  return AccountRef{s};
}
ProfileRef P(std::string_view s) {
  return ProfileRef{s};
}

config::LoadResult load(const std::string& extra) {
  return config::load_string(std::string(kBase) + extra, "k.yaml", "/etc/kilter");
}

std::string all_errors(const config::LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

Rule rule(const Config& c, const std::string& profile, const std::string& name) {
  for (const auto& r : c.profiles.at(profile).rules)
    if (r.name == name) return r;
  return {};
}

TEST(Routing, FirstMatchWinsContinueGoesOnDefaultSinksCatchTheRest) {
  auto r = load(R"(routes:
  - {match: {profile: brand, severity: critical}, sinks: [brand-slack, file], continue: true}
  - {match: {profile: brand}, sinks: [brand-slack]}
  - {match: {account: "exec-*"}, sinks: [exec-teams]}
default_sinks: [file]
)");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& c = *r.config;
  EXPECT_EQ(route(c, A("acme"), P("brand"), rule(c, "brand", "too-pushy")),
            (std::vector<std::string>{"brand-slack", "file"}));
  EXPECT_EQ(route(c, A("acme"), P("brand"), rule(c, "brand", "gone-silent")),
            std::vector<std::string>{"brand-slack"});
  EXPECT_EQ(route(c, A("exec-ann"), P("voice"), rule(c, "voice", "show-the-person")),
            std::vector<std::string>{"exec-teams"});
  EXPECT_EQ(route(c, A("someone"), P("voice"), rule(c, "voice", "show-the-person")),
            std::vector<std::string>{"file"});
}

TEST(Routing, WithoutRoutesEverySinkGetsEveryAlert) {
  auto r = load("");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& c = *r.config;
  EXPECT_EQ(route(c, A("acme"), P("brand"), rule(c, "brand", "too-pushy")),
            (std::vector<std::string>{"file", "brand-slack", "exec-teams"}));
}

TEST(Routing, MatchersNeedEveryFieldTheySet) {
  auto r = load("");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto pushy = rule(*r.config, "brand", "too-pushy");
  config::AlertMatcher any;
  EXPECT_TRUE(matches(any, A("acme"), P("brand"), pushy));
  config::AlertMatcher m;
  m.account = "exec-*";
  m.severity = "critical";
  EXPECT_FALSE(matches(m, A("acme"), P("brand"), pushy));
  EXPECT_TRUE(matches(m, A("exec-jo"), P("brand"), pushy));
  m.metric = "posts";
  EXPECT_FALSE(matches(m, A("exec-jo"), P("brand"), pushy));
}

// The YAML between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in a document.
std::string documented(const std::string& doc, const std::string& name) {
  std::ifstream in(std::string(KILTER_SOURCE_DIR) + "/" + doc);
  EXPECT_TRUE(in) << doc;
  std::string line, yaml;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "<!-- " + name + ":begin -->")
      inside = true;
    else if (line == "<!-- " + name + ":end -->")
      inside = false;
    else if (inside && !line.starts_with("```"))
      yaml += line + "\n";
  }
  EXPECT_FALSE(yaml.empty()) << name << " in " << doc;
  return yaml;
}

TEST(Routing, TheReadmesRoutingExampleRoutesAsItSays) {
  ::setenv("TEAMS_EXEC_WEBHOOK", "https://teams.example/workflows/x", 1);
  auto yaml = documented("README.md", "routing-example");
  auto dir = std::filesystem::temp_directory_path() / "kilter-readme-routing";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "slack-brand.url") << "https://hooks.slack.example/T/B/x\n";
  auto at = yaml.find("/etc/kilter/slack-brand.url");
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, 27, (dir / "slack-brand.url").string());
  auto r = config::load_string(yaml, "README.md", "/etc/kilter");
  ASSERT_TRUE(r.config) << all_errors(r);
  const auto& c = *r.config;
  const auto& voice = c.profiles.at("voice").rules[0];
  EXPECT_EQ(route(c, A("exec-ann"), P("voice"), voice),
            (std::vector<std::string>{"exec-channel", "archive"}));
  const auto& pushy = c.profiles.at("brand").rules[1];
  EXPECT_EQ(route(c, A("acme"), P("brand"), pushy),
            (std::vector<std::string>{"alertmanager", "brand-channel", "archive"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kilter::pipeline

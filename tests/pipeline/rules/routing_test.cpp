// Where alerts go (pipeline/rules/routing.h): the routes of a loaded
// configuration applied to alerts, and the matchers mute windows and
// inhibitions share. Reading and validating them: tests/config/routing_test.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/loader.h"
#include "pipeline/rules/routing.h"
#include "tests/support/config_docs.h"

namespace kilter::pipeline {
namespace {

using config::Config;
using config::Rule;

AccountRef A(std::string_view s) {
  return AccountRef{s};
}
ProfileRef P(std::string_view s) {
  return ProfileRef{s};
}

config::LoadResult load(const std::string& extra) {
  return config::load_string(std::string(test_support::kRoutingBase) + extra, "k.yaml",
                             "/etc/kilter");
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

TEST(Routing, TheReadmesRoutingExampleRoutesAsItSays) {
  ::setenv("TEAMS_EXEC_WEBHOOK", "https://teams.example/workflows/x", 1);
  auto yaml = test_support::documented("README.md", "routing-example");
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

// Account resolution, globs, and the enum spellings of the contract.
#include <gtest/gtest.h>

#include "config/config.h"

namespace kilter::config {
namespace {

Config two_profiles() {
  Config c;
  c.profiles = builtin_profiles();
  c.profiles["brand"].brand_terms = {"acme"};
  c.profiles["voice"].brand_terms = {"keynote"};
  return c;
}

TEST(Glob, StarAndQuestionMark) {
  EXPECT_TRUE(glob_match("exec-*", "exec-anna"));
  EXPECT_TRUE(glob_match("exec-*", "exec-"));
  EXPECT_FALSE(glob_match("exec-*", "exe"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_TRUE(glob_match("*-eu-*", "acme-eu-support"));
  EXPECT_FALSE(glob_match("*-eu-*", "acme-us-support"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(glob_match("acme", "acme"));
  EXPECT_FALSE(glob_match("acme", "acme2"));
  EXPECT_TRUE(glob_match("caf?", "caf\xc3\xa9"));  // '?' is one character, not one byte
  EXPECT_TRUE(glob_match("*\xc3\xa9", "caf\xc3\xa9"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(ResolveAccount, ExactIdBeatsAnEarlierGlob) {
  Config c = two_profiles();
  c.accounts = {{"", "exec-*", "voice", {"exec"}, {}, {}}, {"exec-ceo", "", "brand", {"ceo"}, {}, {}}};
  auto p = resolve_account(c, "exec-ceo");
  ASSERT_NE(p.profile, nullptr);
  EXPECT_EQ(p.profile->name, "brand");
  EXPECT_EQ(p.brand_terms, (std::vector<std::string>{"acme", "ceo"}));
}

TEST(ResolveAccount, FirstMatchingGlobInFileOrder) {
  Config c = two_profiles();
  c.accounts = {{"", "exec-*", "voice", {}, {}, {}}, {"", "exec-a*", "brand", {}, {}, {}}};
  auto p = resolve_account(c, "exec-anna");
  ASSERT_NE(p.profile, nullptr);
  EXPECT_EQ(p.profile->name, "voice");
  EXPECT_EQ(p.brand_terms, (std::vector<std::string>{"keynote"}));
}

TEST(ResolveAccount, UnmatchedAccountsUseTheDefaultProfile) {
  Config c = two_profiles();
  c.accounts = {{"", "exec-*", "voice", {}, {}, {}}};
  auto p = resolve_account(c, "someone");
  ASSERT_NE(p.profile, nullptr);
  EXPECT_EQ(p.profile->name, "brand");
  EXPECT_EQ(p.brand_terms, (std::vector<std::string>{"acme"}));
  c.default_profile = "";
  auto none = resolve_account(c, "someone");
  EXPECT_EQ(none.profile, nullptr);
  EXPECT_TRUE(none.brand_terms.empty());
}

TEST(Names, MetricAndSinkSpellings) {
  for (auto m : {Metric::personal_share, Metric::promotional_share, Metric::posts,
                 Metric::engagement_per_post, Metric::engagement_change, Metric::follower_change})
    EXPECT_EQ(parse_metric(to_string(m)), m);
  EXPECT_EQ(to_string(Metric::engagement_per_post), "engagement_per_post");
  EXPECT_FALSE(parse_metric("likes"));
  for (auto t : {SinkType::file, SinkType::log, SinkType::kafka, SinkType::webhook, SinkType::slack,
                 SinkType::teams, SinkType::alertmanager})
    EXPECT_EQ(parse_sink_type(to_string(t)), t);
  EXPECT_EQ(to_string(SinkType::alertmanager), "alertmanager");
  EXPECT_FALSE(parse_sink_type("pager"));
}

}  // namespace
}  // namespace kilter::config

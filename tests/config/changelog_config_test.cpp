// kafka.changelog_topic and kafka.standby_replicas: defaults, "" (no changelog),
// and the errors, each with its line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/loader.h"

namespace kilter::config {
namespace {

using ::testing::HasSubstr;

LoadResult load(const std::string& kafka_lines) {
  return load_string("kafka:\n  brokers: b:9092\n" + kafka_lines, "k.yaml", "/etc/kilter");
}

std::string all_errors(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

TEST(ChangelogConfig, DefaultsToTheGroupIdWhenAbsent) {
  auto r = load("  group_id: fraud-team\n");
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  EXPECT_EQ(r.config->kafka->changelog_topic, "fraud-team.changelog");
  EXPECT_EQ(r.config->kafka->standby_replicas, 0);

  auto d = load("");
  ASSERT_TRUE(d.errors.empty()) << all_errors(d);
  EXPECT_EQ(d.config->kafka->changelog_topic, "kilter.changelog");
}

TEST(ChangelogConfig, ExplicitTopicAndStandbys) {
  auto r = load("  group_id: g\n  changelog_topic: state.log\n  standby_replicas: 2\n");
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  EXPECT_EQ(r.config->kafka->changelog_topic, "state.log");
  EXPECT_EQ(r.config->kafka->standby_replicas, 2);
}

TEST(ChangelogConfig, EmptyMeansNoChangelog) {
  auto r = load("  changelog_topic: \"\"\n");
  ASSERT_TRUE(r.errors.empty()) << all_errors(r);
  EXPECT_EQ(r.config->kafka->changelog_topic, "");
}

TEST(ChangelogConfig, StandbysWithoutAChangelogAreAnError) {
  auto r = load("  changelog_topic: \"\"\n  standby_replicas: 1\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "kafka.standby_replicas");
  EXPECT_EQ(r.errors[0].line, 4);
  EXPECT_THAT(r.errors[0].to_string(), HasSubstr("k.yaml:4"));
  EXPECT_THAT(r.errors[0].message, HasSubstr("changelog_topic"));

  auto zero = load("  changelog_topic: \"\"\n  standby_replicas: 0\n");
  EXPECT_TRUE(zero.errors.empty()) << all_errors(zero);
}

TEST(ChangelogConfig, NegativeOrNonNumericStandbysAreErrors) {
  for (const char* v : {"-1", "one", "1.5", "65"}) {
    auto r = load(std::string("  standby_replicas: ") + v + "\n");
    ASSERT_EQ(r.errors.size(), 1u) << v << ": " << all_errors(r);
    EXPECT_EQ(r.errors[0].key, "kafka.standby_replicas") << v;
    EXPECT_EQ(r.errors[0].line, 3) << v;
  }
}

TEST(ChangelogConfig, ABadTopicNameIsAnErrorWithItsLine) {
  auto r = load("  changelog_topic: \"state log\"\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "kafka.changelog_topic");
  EXPECT_EQ(r.errors[0].line, 3);

  // A group id that makes no topic name points at the group id, and says what to set.
  auto g = load("  group_id: \"team a\"\n");
  ASSERT_EQ(g.errors.size(), 1u) << all_errors(g);
  EXPECT_EQ(g.errors[0].line, 3);
  EXPECT_THAT(g.errors[0].message, HasSubstr("set kafka.changelog_topic"));
}

TEST(ChangelogConfig, TheChangelogIsNoInputOrDeadLetterTopic) {
  for (const char* lines : {"  topics: [a, b]\n  changelog_topic: b\n",
                            "  dead_letter_topic: b\n  changelog_topic: b\n"}) {
    auto r = load(lines);
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].key, "kafka.changelog_topic");
    EXPECT_EQ(r.errors[0].line, 4);
  }
}

// The name made from the group id is checked as a written one is: an input topic
// named like it would otherwise take changelog records.
TEST(ChangelogConfig, TheDefaultNameIsNoInputOrDeadLetterTopicEither) {
  auto r = load("  group_id: g\n  topics: [events, g.changelog]\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_THAT(r.errors[0].to_string(), HasSubstr("g.changelog"));
  EXPECT_THAT(r.errors[0].to_string(), HasSubstr("k.yaml:3"));  // the group_id line
  auto d = load("  group_id: g\n  dead_letter_topic: g.changelog\n");
  ASSERT_EQ(d.errors.size(), 1u) << all_errors(d);
  auto ok = load("  group_id: g\n  topics: [g.changelog]\n  changelog_topic: \"\"\n");
  EXPECT_TRUE(ok.errors.empty()) << all_errors(ok);
}

TEST(ChangelogConfig, UnknownKafkaKeysAreStillErrors) {
  auto r = load("  changelog_topics: x\n");
  ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
  EXPECT_EQ(r.errors[0].key, "kafka.changelog_topics");
}

}  // namespace
}  // namespace kilter::config

// Bad messages go to the dead-letter topic with headers naming where they came
// from and why, are counted, and never stall the partition.
#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, BadMessagesGoToTheDeadLetterTopicWithTheirOrigin) {
  ASSERT_TRUE(cluster_->create_topic("social.dlq", 4).ok());
  dead_letter_line_ = "  dead_letter_topic: social.dlq\n";
  auto w = make_workload(1000, 20, 0, 5,
                         std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"{not json", "invalid_json"},
      {R"({"type":"post","id":"x1","account":"acct-1"})", "missing_field"},
      {R"({"type":"video","id":"x2","account":"acct-1","ts":1})", "unknown_type"},
      {"{\"type\":\"post\",\"id\":\"x3\",\"account\":\"acct-1\",\"ts\":1,\"post_id\":\"q\","
       "\"text\":\"\xff\xfe\"}",
       "invalid_utf8"},
      {"", "empty"},
  };
  // Bad messages in the middle of good ones, on the partitions of their keys.
  Workload mixed;
  for (std::size_t i = 0; i < w.events.size(); ++i) {
    mixed.events.push_back(w.events[i]);
    if (i % 200 == 100) mixed.events.push_back({"acct-1", bad[(i / 200) % bad.size()].first});
  }
  produce(mixed);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] {
    return events_taken(d) == static_cast<double>(mixed.events.size()) && caught_up(d);
  })) << d.log();
  const auto n_bad = mixed.events.size() - w.events.size();
  EXPECT_EQ(metric(d.metrics(), "kilter_events_total{result=\"bad\"}").value_or(-1),
            static_cast<double>(n_bad));
  auto letters = read_topic(cluster_->bootstraps(), "social.dlq", n_bad);
  ASSERT_EQ(letters.size(), n_bad);
  std::map<std::string, int> reasons;
  for (const auto& l : letters) {
    EXPECT_EQ(l.key, "acct-1");
    EXPECT_EQ(l.headers.at("kilter-source-topic"), kTopic);
    EXPECT_FALSE(l.headers.at("kilter-source-partition").empty());
    EXPECT_FALSE(l.headers.at("kilter-source-offset").empty());
    ++reasons[l.headers.at("kilter-reason")];
    bool known = false;
    for (const auto& [payload, reason] : bad)
      known = known || (payload == l.value && reason == l.headers.at("kilter-reason"));
    EXPECT_TRUE(known) << l.value << " / " << l.headers.at("kilter-reason");
  }
  EXPECT_EQ(reasons.size(), bad.size());
  ASSERT_EQ(d.stop().code, 0) << d.log();
  expect_equal_totals(w.truth, inspect_totals(d.dir()));
}

}  // namespace
}  // namespace kilter::testing

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
  std::vector<std::string> payloads;
  for (const auto& b : bad) payloads.push_back(b.first);
  const Workload mixed = interleave(w, payloads);
  produce(mixed);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] { return took_all(d, mixed); })) << d.log();
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

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A bad message larger than the largest message the daemon's producer sends
// (message.max.bytes, ~1 MB by default) reaches the topic cut to fit, with a
// header giving its original size; nothing is dropped silently.
TEST_F(KafkaTest, ADeadLetterTooLargeForTheTopicArrivesTruncated) {
  ASSERT_TRUE(cluster_->create_topic("social.dlq", 4).ok());
  dead_letter_line_ = "  dead_letter_topic: social.dlq\n";
  // The input takes larger messages than the daemon's producer does.
  config::KafkaConfig kc;
  kc.brokers = cluster_->bootstraps();
  kc.properties = {{"message.max.bytes", "4000000"}};
  auto big = kafka::make_producer(kc);
  ASSERT_TRUE(big.ok()) << big.error().message;
  producer_ = std::move(*big);
  auto w = make_workload(500, 20, 0, 8, now_ms());
  Workload mixed = w;
  // Oversized for the decoder (pipeline.max_event_bytes, 64 KiB), so bad input.
  const std::string huge(1'500'000, 'x');
  mixed.events.insert(mixed.events.begin() + 250, {"acct-1", huge});
  produce(mixed);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] { return took_all(d, mixed); })) << d.log();
  auto letters = read_topic(cluster_->bootstraps(), "social.dlq", 1);
  ASSERT_EQ(letters.size(), 1u) << d.log();
  const auto& l = letters[0];
  EXPECT_EQ(l.key, "acct-1");
  EXPECT_EQ(l.headers.at("kilter-reason"), "oversized");
  EXPECT_EQ(l.headers.at("kilter-truncated"), "1500000");
  EXPECT_LT(l.value.size(), 1'000'000u);
  EXPECT_GT(l.value.size(), 900'000u);
  EXPECT_EQ(l.value, huge.substr(0, l.value.size()));
  auto m = d.metrics();
  EXPECT_EQ(metric(m, "kilter_dead_letters_total{result=\"sent\"}"), 1) << m;
  EXPECT_EQ(metric(m, "kilter_dead_letters_total{result=\"truncated\"}"), 1) << m;
  EXPECT_EQ(metric(m, "kilter_dead_letters_pending"), 0) << m;
  ASSERT_EQ(d.stop().code, 0) << d.log();
  expect_equal_totals(w.truth, inspect_totals(d.dir()));
}

// The dead-letter topic refuses a letter: the offsets past it are held (the
// batch is not committed) and the refusal is counted; the letter is sent again
// and, once accepted, everything is committed.
TEST_F(KafkaTest, ARefusedDeadLetterHoldsTheOffsetsAndIsSentAgain) {
  ASSERT_TRUE(cluster_->create_topic("social.dlq", 4).ok());
  dead_letter_line_ = "  dead_letter_topic: social.dlq\n";
  auto w = make_workload(500, 20, 0, 9, now_ms());
  Workload mixed = w;
  mixed.events.insert(mixed.events.begin() + 250, {"acct-1", "{not json"});
  produce(mixed);
  // The next three produce requests (the daemon's: the input is in) are refused.
  cluster_->refuse_produce(3);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] { return took_all(d, mixed); })) << d.log();
  auto m = d.metrics();
  // Every refused attempt counts (the client also refuses some itself, while
  // the refusals make it forget the topic's partitions).
  EXPECT_GE(metric(m, "kilter_dead_letters_total{result=\"failed\"}").value_or(0), 3) << m;
  EXPECT_EQ(metric(m, "kilter_dead_letters_total{result=\"sent\"}"), 1) << m;
  EXPECT_GE(metric(m, "kilter_commits_deferred_total").value_or(0), 3) << m;
  auto letters = read_topic(cluster_->bootstraps(), "social.dlq", 1);
  ASSERT_EQ(letters.size(), 1u) << d.log();
  EXPECT_EQ(letters[0].value, "{not json");
  EXPECT_EQ(letters[0].headers.at("kilter-reason"), "invalid_json");
  ASSERT_EQ(d.stop().code, 0) << d.log();
  expect_equal_totals(w.truth, inspect_totals(d.dir()));
}

}  // namespace
}  // namespace kilter::testing

// An account that goes quiet, on a partition that stops receiving anything,
// still gets its verdict: the caught-up, idle partition follows the wall clock.
// The alert reaches the Kafka alert topic, keyed by account.
#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, QuietPartitionsAreEvaluatedOnWallClockTimeAndAlertsReachKafka) {
  ASSERT_TRUE(cluster_->create_topic("social.alerts", 4).ok());
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // Three days ago the account posted; nothing since. The posts sit at 20-24
  // minutes past an hour, so that with the 10-minute lateness they cross no bucket
  // boundary: the only evaluation is the wall clock's.
  Workload w;
  const auto hour = (now - 3 * 86'400'000LL) / 3'600'000 * 3'600'000;
  for (int i = 0; i < 5; ++i) {
    auto ts = std::to_string(hour + 20 * 60'000 + i * 60'000);
    w.events.push_back({"quiet", R"({"type":"post","id":"q)" + std::to_string(i) +
                                     R"(","account":"quiet","ts":)" + ts + R"(,"post_id":"qp)" +
                                     std::to_string(i) +
                                     R"(","text":"t","category":"professional"})"});
  }
  produce(w);
  auto dir = daemon_dir("d",
                        "pipeline: {evaluation_interval: 1s}\n"
                        "profiles:\n"
                        "  brand:\n"
                        "    rules:\n"
                        "      - {name: gone-silent, metric: posts, window: 1d, min: 1}\n");
  // A Kafka sink next to the file sink.
  auto yaml = read_file(dir / "kilter.yaml");
  const std::string file_only = "sinks: [{type: file, path: alerts.ndjson}]";
  yaml.replace(yaml.find(file_only), file_only.size(),
               "sinks: [{type: file, path: alerts.ndjson}, {type: kafka, topic: social.alerts}]");
  write_file(dir / "kilter.yaml", yaml);
  Daemon d(dir);
  d.start();
  ASSERT_TRUE(eventually([&] {
                return !d.alive() ||
                       metric(d.metrics(), "kilter_alert_transitions_total{status=\"firing\"}")
                               .value_or(0) >= 1;
              }) &&
              d.alive())
      << d.log();
  EXPECT_GE(metric(d.metrics(), "kilter_evaluations_total{trigger=\"wall_clock\"}").value_or(0), 1);
  auto alerts = read_topic(cluster_->bootstraps(), "social.alerts", 1);
  ASSERT_FALSE(alerts.empty()) << d.log();
  EXPECT_EQ(alerts[0].key, "quiet");
  EXPECT_EQ(json_field(alerts[0].value, "alert_id"), "quiet/posts/1d");
  EXPECT_EQ(json_field(alerts[0].value, "status"), "firing");
  EXPECT_EQ(json_field(alerts[0].value, "value"), "0");
  // The same record went to the file sink.
  ASSERT_EQ(d.stop().code, 0) << d.log();
  auto lines = read_lines(dir / "alerts.ndjson");
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], alerts[0].value);
}

}  // namespace
}  // namespace kilter::testing

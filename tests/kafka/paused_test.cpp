// A daemon that takes no messages (its outbox is full: the sink fails) still
// serves its consumer group: a rebalance finds it answering, so a new member
// gets its partitions instead of waiting for max.poll.interval.ms (5 min).
#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, APausedDaemonStillServesRebalances) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto w = make_workload(6000, 200, 0, 12, now);
  produce(w);
  // One owed record fills the outbox; nothing listens on port 9.
  auto dir_a = daemon_dir("a", "outbox: {max_entries: 1}\n");
  auto yaml = read_file(dir_a / "kilter.yaml");
  const std::string file_sink = "sinks: [{type: file, path: alerts.ndjson}]";
  yaml.replace(yaml.find(file_sink), file_sink.size(),
               "sinks: [{type: webhook, url: \"http://127.0.0.1:9/hook\"}]");
  write_file(dir_a / "kilter.yaml", yaml);
  Daemon a(dir_a), b(daemon_dir("b"));
  a.start();
  ASSERT_TRUE(eventually([&] {
                return !a.alive() || metric(a.metrics(), "kilter_outbox_full").value_or(0) == 1;
              }) &&
              a.alive())
      << a.log();
  b.start();
  // The partitions are shared, each owned by one member: the paused member let
  // its share go in the rebalance (a member that never answers is dropped by
  // the coordinator while it still reads what the other now owns too).
  auto partitions = [](Daemon& d) {
    return metric(d.metrics(), "kilter_source_partitions").value_or(0);
  };
  ASSERT_TRUE(eventually(
      [&] { return partitions(a) > 0 && partitions(b) > 0 && partitions(a) + partitions(b) == 8; },
      std::chrono::seconds(60)))
      << "a owns " << partitions(a) << ", b owns " << partitions(b) << "\n"
      << a.log() << b.log();
  EXPECT_NE(a.log().find("not taking messages until the outbox drains"), std::string::npos);
  EXPECT_EQ(a.stop().code, 0) << a.log();
  EXPECT_EQ(b.stop().code, 0) << b.log();
}

}  // namespace
}  // namespace kilter::testing

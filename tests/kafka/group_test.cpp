// A consumer group of real kilterd processes on the in-process mock cluster:
// partitions split between members, restarts resume from the stored offsets,
// and rebalances neither lose nor double-count (the members' stored figures add
// up to the truth).
#include <thread>

#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(KafkaTest, TwoDaemonsSplitThePartitions) {
  auto w = make_workload(6000, 200, 0.01, 1, now_ms());
  produce(w);
  Daemon a(daemon_dir("a")), b(daemon_dir("b"));
  a.start();
  b.start();
  // A batch given up on a rebalance is read again by the partitions' next owner:
  // its messages are taken twice.
  auto discarded = [](Daemon& d) {
    return metric(d.metrics(), "kilter_discarded_messages_total").value_or(0);
  };
  ASSERT_TRUE(eventually([&] {
    return events_taken(a) - discarded(a) + events_taken(b) - discarded(b) ==
               static_cast<double>(w.events.size()) &&
           caught_up(a) && caught_up(b);
  })) << a.log()
      << b.log();
  auto pa = metric(a.metrics(), "kilter_source_partitions").value_or(0);
  auto pb = metric(b.metrics(), "kilter_source_partitions").value_or(0);
  EXPECT_EQ(pa + pb, 8);
  EXPECT_GT(pa, 0);
  EXPECT_GT(pb, 0);
  EXPECT_GT(events_taken(a), 0);
  EXPECT_GT(events_taken(b), 0);
  auto dups = metric(a.metrics(), "kilter_events_total{result=\"duplicate\"}").value_or(0) +
              metric(b.metrics(), "kilter_events_total{result=\"duplicate\"}").value_or(0);
  // Copies in a discarded batch are taken (and found duplicate) twice.
  EXPECT_GE(dups, static_cast<double>(w.events.size() - w.distinct));
  EXPECT_LE(dups, static_cast<double>(w.events.size() - w.distinct) + discarded(a) + discarded(b));
  EXPECT_EQ(a.stop().code, 0) << a.log();
  EXPECT_EQ(b.stop().code, 0) << b.log();
  auto got = inspect_totals(a.dir());
  add_truth(got, inspect_totals(b.dir()));
  // If a partition moved while the group formed, its engagement may be counted
  // as unattributed by the second owner: compare by action.
  expect_equal_totals(w.truth, got, /*attributed=*/false);
}

TEST_F(KafkaTest, ARestartResumesFromTheStoredOffsets) {
  // The second batch of events is later in event time than the first, or its
  // events would be late.
  auto first = make_workload(3000, 100, 0.01, 2, now_ms() - 86'400'000);
  produce(first);
  Daemon d(daemon_dir("d"));
  d.start();
  ASSERT_TRUE(eventually([&] {
    return events_taken(d) == static_cast<double>(first.events.size()) && caught_up(d);
  })) << d.log();
  ASSERT_EQ(d.stop().code, 0) << d.log();

  auto second = make_workload(2000, 100, 0.01, 3, now_ms(), 1'000'000);
  produce(second);
  d.start();
  // Only the new messages are read: nothing before the stored offsets again.
  ASSERT_TRUE(eventually([&] {
    return events_taken(d) == static_cast<double>(second.events.size()) && caught_up(d);
  })) << d.log();
  EXPECT_EQ(events_taken(d), static_cast<double>(second.events.size()));
  ASSERT_EQ(d.stop().code, 0) << d.log();
  Totals truth = first.truth;
  add_truth(truth, second.truth);
  expect_equal_totals(truth, inspect_totals(d.dir()));
}

TEST_F(KafkaTest, RebalancesNeitherLoseNorDoubleCount) {
  // Messages keep arriving while members join and leave, so revocations find
  // batches in flight.
  auto w = make_workload(24'000, 300, 0.01, 4, now_ms());
  const std::size_t n = w.events.size();
  produce(w, 0, n / 4);
  Daemon a(daemon_dir("a")), b(daemon_dir("b"));
  a.start();
  ASSERT_TRUE(eventually([&] { return events_taken(a) > 0; })) << a.log();
  std::thread producer([&] {
    for (std::size_t i = n / 4; i < n; i += 500) {
      produce(w, i, i + 500);
      std::this_thread::sleep_for(std::chrono::milliseconds(40));
    }
  });
  b.start();  // rebalance: a gives up half its partitions
  ASSERT_TRUE(eventually([&] {
    return metric(b.metrics(), "kilter_source_partitions").value_or(0) > 0;
  })) << b.log();
  ASSERT_EQ(a.stop().code, 0) << a.log();  // rebalance: b takes everything
  producer.join();
  ASSERT_TRUE(eventually([&] {
    return metric(b.metrics(), "kilter_source_partitions").value_or(0) == 8 && caught_up(b);
  })) << b.log();
  ASSERT_EQ(b.stop().code, 0) << b.log();
  auto got = inspect_totals(a.dir());
  add_truth(got, inspect_totals(b.dir()));
  // A partition that moved finds engagement on posts its first owner saw: it
  // is counted (as unattributed), once.
  expect_equal_totals(w.truth, got, /*attributed=*/false);
}

}  // namespace
}  // namespace kilter::testing

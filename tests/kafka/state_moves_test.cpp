// Issue 13, "state follows partitions", end to end: kilterd processes in one
// consumer group on the in-process mock cluster, writing each partition's state
// to a changelog topic. A member killed -9 for good leaves its partitions to the
// survivors, which restore their state from the changelog before consuming them
// and then hold EXACT figures (engagement attributed to its post's category too,
// which only a state that saw the partition's every post can do); a restart on
// a wiped disk restores, a restart on an intact one restores nothing.
//
// The figures are read from the live members' API: each account from the one
// member that owns its partition (the others forgot what they gave up), never by
// adding up stores, which would hide a member that lost or doubled a partition.
#include "tests/kafka/state_moves.h"

namespace kilter::testing {
namespace {

TEST_F(StateMoves, TheSurvivorOfTwoTakesEveryPartitionWithExactFigures) {
  create_changelog(8);
  // The last 30 accounts are quiet in the second part.
  std::size_t half = 0;
  auto w = two_parts(20'000, 300, 30, 131, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  Daemon a(member_dir("a")), b(member_dir("b"));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b}, half);
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});
  // The changelog is written: what a holds is also in the topic.
  EXPECT_GT(metric_sum(a.metrics(), kChangelogRecords), 0) << restore_metrics({&a});

  a.kill(SIGKILL);  // for good: its store is never read again
  const double b_before = events_taken(b);
  produce(w, half, n);
  // After a's session times out, b owns all 8 partitions; a's 4 are restored
  // (warming) before b consumes them.
  ASSERT_TRUE(eventually([&] {
    return partitions(b) == 8 && events_taken(b) >= b_before + static_cast<double>(n - half) &&
           settled({&b});
  })) << restore_metrics({&b})
      << logs({&b});
  EXPECT_GT(restores(b), 0) << restore_metrics({&b});
  EXPECT_GT(metric_sum(b.metrics(), kRestoreRecords), 0) << restore_metrics({&b});
  expect_exact_and_stop({&b}, w);
}

// With standbys, each member keeps the partitions the other holds caught up: the
// survivor of a failover restores only what came since its last catch-up, never a
// partition in full.
TEST_F(StateMoves, WithAStandbyAFailoverRestoresOnlyTheLastMoments) {
  create_changelog(8);
  std::size_t half = 0;
  auto w = two_parts(12'000, 300, 30, 138, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  auto standby = [&](const std::string& name) {
    auto dir = member_dir(name);
    auto yaml = read_file(dir / "kilter.yaml");
    const std::string kafka = "kafka:\n";
    yaml.insert(yaml.find(kafka) + kafka.size(), "  standby_replicas: 1\n");
    write_file(dir / "kilter.yaml", yaml);
    return dir;
  };
  Daemon a(standby("a")), b(standby("b"));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b}, half);
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});
  // b has caught up on a's 4 partitions (every 5 s): each holds a chain of a's
  // now, so a failover restores it from there.
  ASSERT_TRUE(eventually([&] {
    return metric(b.metrics(), "kilter_changelog_standby_updates_total{result=\"ok\"}")
               .value_or(0) >= 4;
  })) << restore_metrics({&b})
      << tail(b.log());

  a.kill(SIGKILL);
  produce(w, half, n);
  ASSERT_TRUE(eventually([&] { return partitions(b) == 8 && settled({&b}); }))
      << restore_metrics({&b}) << logs({&b});
  EXPECT_EQ(full_restores(b), 0) << restore_metrics({&b});
  expect_exact_and_stop({&b}, w);
}

TEST_F(StateMoves, TwoSurvivorsOfThreeAreExactAfterAKillMidStream) {
  // Fewer changelog partitions than input partitions: records name their input
  // partition, three chains share each changelog partition.
  create_changelog(3);
  auto w = make_workload(24'000, 300, 0.01, 132, wall_ms());
  const std::size_t n = w.events.size(), third = n / 3;
  produce(w, 0, third);
  Daemon a(member_dir("a")), b(member_dir("b")), c(member_dir("c"));
  a.start();
  b.start();
  c.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b, &c}, third);
  })) << restore_metrics({&a, &b, &c})
      << logs({&a, &b, &c});

  // The rest arrives while c dies: it is killed with batches in flight (taken,
  // perhaps written to the changelog, not committed).
  std::thread producer([&] { trickle(w, third, n, 400, std::chrono::milliseconds(50)); });
  const double c_before = events_taken(c);
  bool took_more = eventually([&] { return events_taken(c) >= c_before + 1000; });
  c.kill(SIGKILL);
  producer.join();
  if (!took_more) note("kill", "c was killed before it took 1000 more messages");
  ASSERT_TRUE(eventually([&] {
    return partitions(a) > 0 && partitions(b) > 0 && settled({&a, &b});
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});
  EXPECT_GT(restores(a) + restores(b), 0) << restore_metrics({&a, &b});
  expect_exact_and_stop({&a, &b}, w);
}

TEST_F(StateMoves, ARestartOnAWipedStateDirectoryRestoresEverything) {
  create_changelog(8);
  // The last 30 accounts are quiet in the second part.
  std::size_t half = 0;
  auto w = two_parts(12'000, 300, 30, 133, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  Daemon a(member_dir("a"));
  consume_alone_and_stop(a, half);

  // The disk is lost: the group's committed offsets say "half consumed", the
  // state must come back from the changelog, not start empty.
  fs::remove_all(a.dir() / "state");
  a.start();
  produce(w, half, n);
  ASSERT_TRUE(eventually([&] {
    return events_taken(a) >= static_cast<double>(n - half) && settled({&a});
  })) << restore_metrics({&a})
      << tail(a.log());
  // It read the first half from the changelog, not from the input again.
  EXPECT_EQ(events_taken(a), static_cast<double>(n - half));
  EXPECT_GT(full_restores(a), 0) << restore_metrics({&a});
  expect_exact_and_stop({&a}, w);
}

TEST_F(StateMoves, ARestartOnItsOwnIntactStateRestoresNothing) {
  create_changelog(8);
  // The last 30 accounts are quiet in the second part.
  std::size_t half = 0;
  auto w = two_parts(12'000, 300, 30, 134, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  Daemon a(member_dir("a"));
  consume_alone_and_stop(a, half);

  a.start();
  produce(w, half, n);
  ASSERT_TRUE(eventually([&] {
    return events_taken(a) >= static_cast<double>(n - half) && settled({&a});
  })) << restore_metrics({&a})
      << tail(a.log());
  EXPECT_EQ(events_taken(a), static_cast<double>(n - half));
  // Its local head is the group's: not one record read back.
  EXPECT_EQ(restores(a), 0) << restore_metrics({&a});
  EXPECT_EQ(full_restores(a), 0) << restore_metrics({&a});
  EXPECT_EQ(metric_sum(a.metrics(), kRestoreRecords), 0) << restore_metrics({&a});
  expect_exact_and_stop({&a}, w);
}

}  // namespace
}  // namespace kilter::testing

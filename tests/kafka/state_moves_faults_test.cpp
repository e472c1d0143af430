// Issue 13, "state follows partitions", under faults: a member killed -9 while
// it restores, a rebalance while a member restores, a member paused (SIGSTOP)
// until its partitions moved and then resumed, and no false alert from a
// partition whose state is missing or still being restored.
//
// A restore on the mock cluster is quick; to be seen (and interrupted) it is
// slowed down by answering every request late (MockCluster::set_rtt). A test
// that could not catch a member while it restored says so in its output
// ("NOTE") instead of failing on timing, and still checks the outcome.
#include "tests/kafka/state_moves.h"

namespace kilter::testing {
namespace {

using std::chrono::milliseconds;

// While a partition warms: /-/ready answers 503 and names what warms, and
// /api/v1/partitions lists a partition as warming.
void expect_not_ready_while_warming(Daemon& d) {
  auto ready = d.get("/-/ready");
  auto held = d.get("/api/v1/partitions");
  if (metric(d.metrics(), kWarming).value_or(0) == 0) return;  // finished in between
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("warming"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("social.events"), std::string::npos) << ready.body;
  EXPECT_EQ(held.status, 200) << held.body;
  EXPECT_NE(held.body.find("\"state\":\"warming\""), std::string::npos) << held.body;
}

TEST_F(StateMoves, AKillNineDuringARestoreEndsExact) {
  create_changelog(8);
  // Many accounts: a larger state to restore.
  // The last 300 accounts are quiet in the second part.
  std::size_t half = 0;
  auto w = two_parts(24'000, 3000, 300, 135, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  Daemon a(member_dir("a"));
  consume_alone_and_stop(a, half);

  // The disk is lost, and the broker slow: the restart restores all 8 partitions
  // from the changelog, slowly. It is killed in the middle.
  fs::remove_all(a.dir() / "state");
  ASSERT_TRUE(cluster_->set_rtt(kafka::MockCluster::kAllBrokers, milliseconds(300)).ok());
  a.start();
  bool restoring = false;
  ASSERT_TRUE(eventually([&] {
    if (!a.alive()) return true;
    auto m = a.metrics();
    restoring = metric(m, kWarming).value_or(0) > 0 && metric_sum(m, kRestoreRecords) > 0;
    bool done = metric(m, "kilter_source_partitions").value_or(0) == 8 &&
                metric(m, kWarming).value_or(0) == 0 && metric(m, "kilter_ready").value_or(0) == 1;
    return restoring || done;
  }));
  ASSERT_TRUE(a.alive()) << tail(a.log());
  if (restoring) {
    expect_not_ready_while_warming(a);
  } else {
    note("restore", "the restore ended before it was seen with records applied: killed after it");
  }
  const std::string during = restore_metrics({&a});
  a.kill(SIGKILL);
  ASSERT_TRUE(cluster_->set_rtt(kafka::MockCluster::kAllBrokers, milliseconds(0)).ok());

  // Whatever the killed restore left in the store, the next start does not take
  // it for the partition's state.
  produce(w, half, n);
  a.start();
  ASSERT_TRUE(eventually([&] {
    return events_taken(a) >= static_cast<double>(n - half) && settled({&a});
  })) << restore_metrics({&a})
      << tail(a.log());
  EXPECT_EQ(events_taken(a), static_cast<double>(n - half));
  EXPECT_GT(restores(a), 0) << "killed while: " << during << "now: " << restore_metrics({&a});
  expect_exact_and_stop({&a}, w);
}

TEST_F(StateMoves, ARebalanceDuringARestoreEndsExact) {
  create_changelog(8);
  // The last 300 accounts are quiet in the second part.
  std::size_t half = 0;
  auto w = two_parts(24'000, 3000, 300, 136, half);
  const std::size_t n = w.events.size();
  produce(w, 0, half);
  // a's restores wait 6 s before they read (the daemon's test hook): the
  // rebalance comes in the middle of one for sure.
  Daemon a(member_dir("a", kChangelog, {}, "kilter-test", 4000),
           {"KILTER_TEST_RESTORE_HOLD_MS=6000"}),
      b(member_dir("b", kChangelog, {}, "kilter-test", 4000)),
      c(member_dir("c", kChangelog, {}, "kilter-test", 4000));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b}, half);
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});

  // b dies; once its session times out a restores b's partitions, and c joins
  // while a warms: the partitions are dealt again in the middle of the restore
  // (a's restores are cancelled, and a restores what it gets anew).
  b.kill(SIGKILL);
  ASSERT_TRUE(eventually([&] { return warming(a) > 0; })) << restore_metrics({&a}) << tail(a.log());
  c.start();
  expect_not_ready_while_warming(a);
  ASSERT_TRUE(eventually([&] { return partitions(c) > 0; }))
      << restore_metrics({&a, &c}) << logs({&a, &c});

  produce(w, half, n);
  ASSERT_TRUE(eventually([&] {
    return partitions(a) > 0 && partitions(c) > 0 && settled({&a, &c});
  })) << restore_metrics({&a, &c})
      << logs({&a, &c});
  EXPECT_GT(restores(a) + restores(c), 0) << restore_metrics({&a, &c});
  expect_exact_and_stop({&a, &c}, w);
}

TEST_F(StateMoves, APausedMemberWhosePartitionsMovedCorruptsNothing) {
  // Fewer changelog partitions than input partitions, and the session of the
  // paused member times out (6 s) while it is stopped.
  create_changelog(3);
  auto w = make_workload(24'000, 300, 0.01, 137, wall_ms());
  const std::size_t n = w.events.size();
  const std::size_t p1 = n * 3 / 10, p2 = n * 6 / 10, p3 = n * 8 / 10;
  produce(w, 0, p1);
  Daemon a(member_dir("a", kChangelog, {}, "kilter-test", 6000)),
      b(member_dir("b", kChangelog, {}, "kilter-test", 6000));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b}, p1);
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});

  // a is stopped in the middle of its work (messages arriving), so that it
  // resumes with a batch to write and commit for partitions that are b's by then.
  std::thread producer([&] { trickle(w, p1, p2, 400, milliseconds(50)); });
  const double a_before = events_taken(a);
  if (!eventually([&] { return events_taken(a) >= a_before + 500; }))
    note("pause", "a took fewer than 500 messages of the stream before it was stopped");
  a.kill_keep(SIGSTOP);
  producer.join();
  ASSERT_TRUE(eventually([&] { return partitions(b) == 8 && settled({&b}); }))
      << restore_metrics({&b}) << logs({&b});
  // b moves every chain past what a knows before a wakes up.
  const double b_before = events_taken(b);
  produce(w, p2, p3);
  ASSERT_TRUE(eventually([&] {
    return events_taken(b) >= b_before + static_cast<double>(p3 - p2) && settled({&b});
  })) << restore_metrics({&b})
      << logs({&b});

  a.kill_keep(SIGCONT);
  // a's late commits are refused, its records are orphans; it rejoins and gets a
  // share again, restored past its orphans.
  ASSERT_TRUE(eventually([&] {
    return partitions(a) > 0 && partitions(b) > 0 && settled({&a, &b});
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});
  EXPECT_GT(restores(a), 0) << restore_metrics({&a, &b});
  produce(w, p3, n);
  ASSERT_TRUE(eventually([&] {
    return partitions(a) > 0 && partitions(b) > 0 && settled({&a, &b});
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});
  expect_exact_and_stop({&a, &b}, w);
}

// Rules that a missing or partial state would trip: too few posts in a day (an
// empty state has none), too many in two days, a share over a day.
constexpr const char* kAlertProfile =
    "pipeline: {evaluation_interval: 1h}\n"  // no wall-clock evaluation: event time only
    "profiles:\n"
    "  t:\n"
    "    rules:\n"
    "      - {name: few-posts, metric: posts, window: 1d, min: 8}\n"
    "      - {name: many-posts, metric: posts, window: 2d, max: 20}\n"
    "      - {name: too-personal, metric: personal_share, window: 1d, max: 0.45, min_posts: 6}\n"
    "default_profile: t\n";

TEST_F(StateMoves, NoFalseAlertAfterAFailover) {
  create_changelog(8);
  auto w = make_workload(20'000, 300, 0.01, 138, wall_ms());
  const std::size_t n = w.events.size(), half = n / 2;
  produce(w, 0, half);
  // The reference: one daemon, a group of its own, no changelog, never killed.
  Daemon reference(member_dir("reference", "", kAlertProfile, "kilter-reference"));
  Daemon a(member_dir("a", kChangelog, kAlertProfile)),
      b(member_dir("b", kChangelog, kAlertProfile));
  reference.start();
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return took_between({&a, &b}, half);
  })) << restore_metrics({&a, &b})
      << logs({&a, &b});

  // a is killed while the second half arrives, perhaps with alerts it committed
  // and had not delivered yet: the new owner delivers them (again, perhaps).
  std::thread producer([&] { trickle(w, half, n, 400, milliseconds(50)); });
  const double a_before = events_taken(a);
  eventually([&] { return events_taken(a) >= a_before + 1000; });
  a.kill(SIGKILL);
  producer.join();
  ASSERT_TRUE(eventually([&] { return partitions(b) == 8 && settled({&b}); }))
      << restore_metrics({&b}) << logs({&b});
  ASSERT_TRUE(eventually([&] { return took_all(reference, w); })) << tail(reference.log());
  expect_no_failed_restore({&b});
  expect_equal_totals(w.truth, owners_totals({&b}, w), /*attributed=*/true);
  ASSERT_EQ(b.stop().code, 0) << tail(b.log());
  ASSERT_EQ(reference.stop().code, 0) << tail(reference.log());

  auto want = alert_set({reference.dir()});
  auto have = alert_set({a.dir(), b.dir()});
  ASSERT_FALSE(want.empty());
  std::size_t firing = 0, resolved = 0;
  for (const auto& k : want) (std::get<1>(k) == "firing" ? firing : resolved)++;
  EXPECT_GT(firing, 0u);
  EXPECT_GT(resolved, 0u);
  std::vector<AlertKey> extra, missing;
  std::set_difference(have.begin(), have.end(), want.begin(), want.end(),
                      std::back_inserter(extra));
  std::set_difference(want.begin(), want.end(), have.begin(), have.end(),
                      std::back_inserter(missing));
  auto show = [](const std::vector<AlertKey>& keys) {
    std::string s;
    for (std::size_t i = 0; i < keys.size() && i < 10; ++i)
      s += "  " + std::get<0>(keys[i]) + " " + std::get<1>(keys[i]) + " " + std::get<2>(keys[i]) +
           "\n";
    return s;
  };
  EXPECT_TRUE(extra.empty()) << extra.size() << " alerts the group emitted and one daemon did not "
                             << "(false transitions):\n"
                             << show(extra);
  EXPECT_TRUE(missing.empty()) << missing.size() << " alerts of one daemon the group never emitted "
                               << "(lost with the killed member?):\n"
                               << show(missing);
}

}  // namespace
}  // namespace kilter::testing

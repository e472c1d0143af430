// kill -9 at random moments, many times, while a daemon consumes from the mock
// cluster; restart it each time. Its figures must equal the truth of the
// produced events (1% of them redelivered copies), and it must have emitted
// every alert of an uninterrupted daemon (a redelivered copy is allowed).
#include <random>
#include <thread>

#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

TEST_F(KafkaTest, KillNineAtRandomMomentsLosesAndDoublesNothing) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto w = make_workload(40'000, 300, 0.01, 6, now);
  const std::size_t n = w.events.size();
  produce(w, 0, n / 2);
  // Wall-clock evaluation would make the alerts depend on timing: keep it out.
  const std::string extra = "pipeline: {evaluation_interval: 1h}\n";
  Daemon crashed(daemon_dir("crashed", extra, "kilter-test", 3000));
  // The reference reads the same topic in a group of its own.
  Daemon reference(daemon_dir("reference", extra, "kilter-reference"));
  reference.start();

  std::mt19937_64 rng(11);
  // The second half arrives while the daemon is being killed and restarted.
  std::thread producer([&] {
    for (std::size_t i = n / 2; i < n; i += 500) {
      produce(w, i, i + 500);
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
    }
  });
  int kills = 0;
  for (int round = 0; round < 8; ++round) {
    crashed.start();
    // Killed once it has its partitions, at a random moment of its consumption.
    ASSERT_TRUE(eventually([&] {
      return crashed.port() > 0 && metric(crashed.metrics(), "kilter_ready").value_or(0) == 1;
    })) << crashed.log();
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 1500));
    crashed.kill(SIGKILL);
    ++kills;
  }
  producer.join();
  crashed.start();
  ASSERT_TRUE(eventually([&] { return caught_up(crashed); }, std::chrono::seconds(120)))
      << crashed.log();
  ASSERT_TRUE(eventually([&] { return caught_up(reference); })) << reference.log();
  EXPECT_EQ(kills, 8);

  expect_equal_totals(w.truth, api_totals(crashed, w));

  ASSERT_EQ(crashed.stop().code, 0) << crashed.log();
  ASSERT_EQ(reference.stop().code, 0) << reference.log();
  auto want = alert_keys(read_lines(reference.dir() / "alerts.ndjson"));
  auto have = alert_keys(read_lines(crashed.dir() / "alerts.ndjson"));
  std::set<AlertKey> want_set(want.begin(), want.end()), have_set(have.begin(), have.end());
  EXPECT_FALSE(want_set.empty());
  EXPECT_EQ(have_set, want_set) << "every alert of the uninterrupted run, and no other";
}

TEST_F(KafkaTest, ACrashBetweenTheFirstGroupCommitAndItsStateBatchLosesNothing) {
  // The group holds this store's offsets, the store nothing yet: the restart must
  // not take the group's word for what this state has counted.
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto w = make_workload(4000, 100, 0.01, 7, now);
  produce(w);
  const auto dir = daemon_dir("d");
  Daemon first(dir, {"KILTER_CRASH_AFTER_CHECKPOINTS=1"});
  first.start();
  ASSERT_TRUE(eventually([&] { return !first.alive(); }, std::chrono::seconds(60))) << first.log();
  Daemon again(dir);
  again.start();
  ASSERT_TRUE(eventually([&] { return caught_up(again); }, std::chrono::seconds(60)))
      << again.log() << again.metrics();
  expect_equal_totals(w.truth, api_totals(again, w));
  ASSERT_EQ(again.stop().code, 0) << again.log();
}

}  // namespace
}  // namespace kilter::testing

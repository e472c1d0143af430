// Kill -9 at exact and at random moments during a replay; restart on the same
// state until the replay completes. The stored figures must equal those of an
// uninterrupted run, and every alert of that run must have been emitted (a
// redelivered copy, same alert_id/status/starts_at, is allowed).
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/e2e/events.h"
#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

constexpr const char* kConfig = R"(
source: {file: ../events.ndjson}
storage: {path: state, commit_max_events: 4000}
accounts:
  - {match: "exec-*", profile: voice}
sinks:
  - {type: file, path: alerts.ndjson}
)";

void prepare(const fs::path& dir) {
  fs::create_directories(dir);
  write_file(dir / "kilter.yaml", kConfig);
}

std::vector<std::string> run_args(const fs::path& dir) {
  return {KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string(), "--log-level", "warn"};
}

std::string inspect(const fs::path& dir) {
  auto exit = run({KILTERD_BIN, "inspect", "--config", (dir / "kilter.yaml").string()},
                  dir / "inspect.out", dir / "inspect.err");
  EXPECT_EQ(exit.code, 0) << read_file(dir / "inspect.err");
  return read_file(dir / "inspect.out");
}

TEST(Crash, KillNineAnywhereLosesAndDoublesNothing) {
  TempDir root;
  write_file(root / "events.ndjson", make_events(100'000));
  auto reference = root / "reference";
  auto crashed = root / "crashed";
  prepare(reference);
  prepare(crashed);

  auto ref = run(run_args(reference), reference / "out", reference / "err");
  ASSERT_EQ(ref.code, 0) << read_file(reference / "err");
  auto ref_alerts = read_lines(reference / "alerts.ndjson");
  ASSERT_FALSE(ref_alerts.empty());

  // Exact crash points first (after N more messages: mid-batch, near commits),
  // then kills from outside at random moments, then a run to the end.
  std::mt19937_64 rng(std::random_device{}());
  std::vector<std::uint64_t> points = {
      1, 3999, 4000, 4001, 10'000 + rng() % 20'000, rng() % 30'000 + 1, rng() % 30'000 + 1};
  int crashes = 0;
  for (auto n : points) {
    auto exit = run(run_args(crashed), crashed / "out", crashed / "err",
                    {"KILTER_CRASH_AFTER_EVENTS=" + std::to_string(n)});
    if (exit.signaled) {
      EXPECT_EQ(exit.code, SIGKILL);
      ++crashes;
    } else {
      ASSERT_EQ(exit.code, 0) << read_file(crashed / "err");
    }
  }
  for (int i = 0; i < 4; ++i) {
    auto pid = spawn(run_args(crashed), crashed / "out", crashed / "err");
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 150));
    ::kill(pid, SIGKILL);
    auto exit = wait_for(pid);
    if (!exit.signaled) {
      ASSERT_EQ(exit.code, 0) << read_file(crashed / "err");
    }
  }
  auto last = run(run_args(crashed), crashed / "out", crashed / "err");
  ASSERT_EQ(last.code, 0) << read_file(crashed / "err");
  EXPECT_GE(crashes, 1);  // the exact crash points are deterministic: at least the first one

  EXPECT_EQ(inspect(crashed), inspect(reference));
  auto expected = alert_keys(ref_alerts);
  auto got = alert_keys(read_lines(crashed / "alerts.ndjson"));
  std::set<AlertKey> expected_set(expected.begin(), expected.end());
  std::set<AlertKey> got_set(got.begin(), got.end());
  EXPECT_EQ(got_set, expected_set);
  EXPECT_EQ(expected.size(), expected_set.size());  // the reference emits each one once
}

}  // namespace
}  // namespace kilter::testing

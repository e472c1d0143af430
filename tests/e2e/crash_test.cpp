// Kill -9 at exact and at random moments during a replay; restart on the same
// state until the replay completes. The stored figures must equal those of an
// uninterrupted run, and every alert of that run must have been emitted (a
// redelivered copy, same alert_id/status/starts_at, is allowed).
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

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

const char* const kTexts[] = {
    "Our quarterly report is out: revenue up 12 percent, read the analysis",
    "We are hiring engineers for the Lyon team, apply on our careers page",
    "Flash sale: 30% off everything with code WINTER30, shop now",
    "Free shipping this weekend only, order today",
    "What a lovely sunday with the kids at the beach",
    "Happy birthday to my wonderful mum, love you",
    "Nouveau partenariat avec la région pour la recherche en énergie",
    "Promo exceptionnelle : -40% sur toute la boutique, code NOEL",
    "Petit déjeuner en famille avant la rando, quel bonheur",
    "Join our webinar on supply chain resilience next Tuesday",
};

// ~100k events over 12 days for 300 accounts, in time order, with 1% redelivered
// copies and a few bad lines.
std::string make_events(std::size_t n) {
  std::mt19937_64 rng(7);
  std::string out;
  std::vector<std::string> recent;
  auto t0 = std::int64_t{1'763'596'800'000};  // 2025-11-20T00:00:00Z
  auto span = std::int64_t{12} * 86'400'000;
  for (std::size_t i = 0; i < n; ++i) {
    auto ts = t0 + static_cast<std::int64_t>(i) * span / static_cast<std::int64_t>(n) +
              static_cast<std::int64_t>(rng() % 120'000);  // 2 min jitter < allowed lateness
    auto acct = rng() % 300;
    std::string account = (acct % 10 == 0 ? "exec-" : "brand-") + std::to_string(acct);
    std::string line;
    auto kind = rng() % 10;
    auto id = std::to_string(i);
    if (kind < 4) {
      line = R"({"type":"post","id":"e)" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"post_id":"p)" + id + R"(","text":")" +
             kTexts[(acct + rng() % 3) % 10] + "\"}";
      recent.push_back("p" + id + "|" + account);
    } else if (kind < 9 && !recent.empty()) {
      const auto& pick = recent[rng() % recent.size()];
      auto bar = pick.find('|');
      static const char* kActions[] = {"like", "reply", "repost", "click", "impression", "quote"};
      line = R"({"type":"engagement","id":"e)" + id + R"(","account":")" + pick.substr(bar + 1) +
             R"(","ts":)" + std::to_string(ts) + R"(,"post_id":")" + pick.substr(0, bar) +
             R"(","action":")" + kActions[rng() % 6] + R"(","count":)" +
             std::to_string(1 + rng() % 5) + "}";
    } else {
      line = R"({"type":"followers","id":"e)" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"followers":)" + std::to_string(1000 + rng() % 500) + "}";
    }
    if (recent.size() > 2000) recent.erase(recent.begin(), recent.begin() + 1000);
    out += line + "\n";
    if (rng() % 100 == 0) out += line + "\n";  // redelivered copy
    if (rng() % 5000 == 0) out += "{\"type\":\"post\",\"id\":\n";
  }
  return out;
}

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

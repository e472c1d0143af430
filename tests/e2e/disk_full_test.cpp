// The state directory on a small tmpfs (in a private mount namespace: needs
// root; skipped otherwise): a replay that fills it exits non-zero with a clear
// message (not SIGABRT), a start on the full disk fails the same way and leaves
// nothing behind, and once there is room a rerun resumes exactly: the stored
// figures equal an uninterrupted run's, and every alert of that run is emitted.
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "tests/e2e/daemon.h"
#include "tests/e2e/events.h"
#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

// Mounts made here are seen by this process and its children only.
std::string private_mounts() {
  static const std::string why = []() -> std::string {
    if (::geteuid() != 0) return "not root";
    if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare: ") + std::strerror(errno);
    if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
      return std::string("mount --make-rprivate /: ") + std::strerror(errno);
    return {};
  }();
  return why;
}

std::string mount_tmpfs(const fs::path& dir, const std::string& size, unsigned long flags = 0) {
  fs::create_directories(dir);
  const std::string opts = "size=" + size;
  if (::mount("tmpfs", dir.c_str(), "tmpfs", flags, opts.c_str()) != 0)
    return "mount tmpfs: " + std::string(std::strerror(errno));
  return {};
}

std::string config(const std::string& extra = {}) {
  return R"(
source: {file: ../events.ndjson}
storage: {path: state, commit_max_events: 4000, min_free_mib: 1}
accounts:
  - {match: "exec-*", profile: voice}
sinks:
  - {type: file, path: alerts.ndjson}
)" + extra;
}

std::vector<std::string> run_args(const fs::path& dir) {
  return {KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string(), "--log-level", "info"};
}

std::string inspect(const fs::path& dir) {
  auto exit = run({KILTERD_BIN, "inspect", "--config", (dir / "kilter.yaml").string()},
                  dir / "inspect.out", dir / "inspect.err");
  EXPECT_EQ(exit.code, 0) << read_file(dir / "inspect.err");
  return read_file(dir / "inspect.out");
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = private_mounts(); !why.empty())
      GTEST_SKIP() << "needs root and a private mount namespace (" << why << ")";
  }
  void TearDown() override {
    for (const auto& m : mounts_) ::umount2(m.c_str(), MNT_DETACH);
  }
  // A tmpfs of `size` as dir/state; skips the test when the mount is refused.
  bool small_state(const fs::path& dir, const std::string& size) {
    if (auto why = mount_tmpfs(dir / "state", size); !why.empty()) {
      ADD_FAILURE() << why;
      return false;
    }
    mounts_.push_back(dir / "state");
    return true;
  }
  std::vector<fs::path> mounts_;
};

TEST_F(DiskFull, ReplayStopsCleanlyAndResumesExactlyOnceThereIsRoom) {
  TempDir root;
  write_file(root / "events.ndjson", make_events(100'000));
  auto reference = root / "reference";
  auto full = root / "full";
  fs::create_directories(reference);
  fs::create_directories(full);
  write_file(reference / "kilter.yaml", config());
  write_file(full / "kilter.yaml", config());
  auto ref = run(run_args(reference), reference / "out", reference / "err");
  ASSERT_EQ(ref.code, 0) << read_file(reference / "err");

  ASSERT_TRUE(small_state(full, "2m"));
  auto first = run(run_args(full), full / "out", full / "err");
  const auto log = read_file(full / "err");
  ASSERT_FALSE(first.signaled) << "signal " << first.code << "\n" << log;  // was SIGABRT
  EXPECT_EQ(first.code, 2) << log;
  EXPECT_EQ(count(log, "engine stopped:"), 1u) << log;
  EXPECT_NE(log.find("the state directory's disk is full"), std::string::npos) << log;
  EXPECT_LE(count(log, "outbox: recording deliveries failed"), 1u) << log;

  // A restart on the full disk (systemd's Restart=on-failure) fails the same
  // way, and touches nothing (storage.min_free_mib): no more files behind.
  std::size_t files = 0;
  for (int i = 0; i < 3; ++i) {
    auto again = run(run_args(full), full / "out", full / ("err.again" + std::to_string(i)));
    const auto again_log = read_file(full / ("err.again" + std::to_string(i)));
    ASSERT_FALSE(again.signaled) << again_log;
    EXPECT_EQ(again.code, 2) << again_log;
    EXPECT_NE(again_log.find("disk is full"), std::string::npos) << again_log;
    std::size_t now = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(full / "state")) ++now;
    if (i > 0) {
      EXPECT_LE(now, files);
    }
    files = now;
  }

  // Room again: the rerun resumes where the last written batch left off.
  ASSERT_EQ(::mount("tmpfs", (full / "state").c_str(), "tmpfs", MS_REMOUNT, "size=256m"), 0)
      << std::strerror(errno);
  auto last = run(run_args(full), full / "out", full / "err.last");
  ASSERT_EQ(last.code, 0) << read_file(full / "err.last");
  EXPECT_EQ(inspect(full), inspect(reference));
  auto expected = alert_keys(read_lines(reference / "alerts.ndjson"));
  auto got = alert_keys(read_lines(full / "alerts.ndjson"));
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(std::set<AlertKey>(got.begin(), got.end()),
            std::set<AlertKey>(expected.begin(), expected.end()));
}

TEST_F(DiskFull, NotReadyWithTheReasonAndCountedWhileStopping) {
  TempDir root;
  write_file(root / "events.ndjson", make_events(100'000));
  auto dir = root / "full";
  fs::create_directories(dir);
  // A webhook nobody answers keeps alerts owed, so the daemon waits out its
  // drain_timeout after the failure: long enough to be asked.
  write_file(dir / "kilter.yaml", config(R"(  - {type: webhook, url: "http://127.0.0.1:1/x"}
outbox: {drain_timeout: 15s, retry_initial: 10s}
http: {listen: 127.0.0.1:0}
)"));
  ASSERT_TRUE(small_state(dir, "2m"));
  Daemon d(dir);
  d.start();
  ASSERT_NE(d.port(), 0) << d.log();
  HttpReply ready;
  ASSERT_TRUE(eventually([&] {
    ready = d.get("/-/ready");
    return ready.status == 503 || !d.alive();
  })) << d.log();
  ASSERT_TRUE(d.alive()) << d.log();
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find("state store failed"), std::string::npos) << ready.body;
  EXPECT_NE(ready.body.find("disk is full"), std::string::npos) << ready.body;
  auto m = d.metrics();
  EXPECT_EQ(metric(m, "kilter_storage_failed"), 1.0) << m;
  EXPECT_GE(metric(m, "kilter_storage_write_failures_total").value_or(0), 1.0) << m;
  EXPECT_EQ(metric(m, "kilter_ready"), 0.0) << m;
  auto exit = d.stop();
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.code, 2) << d.log();
  EXPECT_EQ(count(d.log(), "engine stopped:"), 1u) << d.log();
}

TEST_F(DiskFull, ReadOnlyStateDirectoryAtStartIsAClearError) {
  TempDir root;
  write_file(root / "events.ndjson", make_events(2'000));
  auto dir = root / "ro";
  fs::create_directories(dir);
  write_file(dir / "kilter.yaml", config());
  ASSERT_TRUE(small_state(dir, "64m"));
  auto first = run(run_args(dir), dir / "out", dir / "err");
  ASSERT_EQ(first.code, 0) << read_file(dir / "err");
  ASSERT_EQ(::mount("tmpfs", (dir / "state").c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=64m"),
            0)
      << std::strerror(errno);
  auto again = run(run_args(dir), dir / "out", dir / "err.ro");
  const auto log = read_file(dir / "err.ro");
  ASSERT_FALSE(again.signaled) << log;
  EXPECT_EQ(again.code, 2) << log;
  EXPECT_NE(log.find("the state directory is not writable"), std::string::npos) << log;
}

}  // namespace
}  // namespace kilter::testing

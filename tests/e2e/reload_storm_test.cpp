// A SIGHUP storm under load: valid and invalid configurations alternate while
// events stream in. The daemon keeps answering health checks, counts every
// event once, never dies, and the last valid file is the one that applies.
#include <fcntl.h>
#include <sys/stat.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/daemon.h"

namespace kilter::testing {
namespace {

std::string config(int chatter_max) {
  return "source: {file: \"-\"}\n"
         "storage: {path: state, bucket: 1h, commit_interval: 50ms}\n"
         "pipeline: {allowed_lateness: 0s}\n"
         "profiles:\n"
         "  brand:\n"
         "    rules:\n"
         "      - {name: chatter, metric: posts, window: 1d, max: " +
         std::to_string(chatter_max) +
         "}\n"
         "default_profile: brand\n"
         "sinks: [{type: file, name: alerts, path: alerts.ndjson}]\n"
         "http: {listen: 127.0.0.1:0}\n";
}

// The replacement is atomic (rename), as a careful operator's tooling would do;
// the invalid variants are complete files that fail validation.
void install(const fs::path& dir, const std::string& text) {
  write_file(dir / "kilter.yaml.new", text);
  fs::rename(dir / "kilter.yaml.new", dir / "kilter.yaml");
}

std::string event(int i) {
  // 40 accounts, event time one second apart from 2026-11-20T08:00:00Z (epoch
  // milliseconds): hour buckets keep closing, nothing is late.
  const long long ts = 1795161600000LL + 1000LL * i;
  return R"({"type":"post","id":"e)" + std::to_string(i) + R"(","account":"acct-)" +
         std::to_string(i % 40) + R"(","ts":)" + std::to_string(ts) + R"(,"post_id":"p)" +
         std::to_string(i) + R"(","text":"t","category":"professional"})" + "\n";
}

TEST(ReloadStorm, ValidAndInvalidReloadsUnderLoadLoseNothing) {
  TempDir dir;
  install(dir.path(), config(1000));
  const auto fifo = dir / "events";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  Daemon d(dir.path());
  d.start_with_stdin(fifo);
  int events = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(events, 0);
  ASSERT_NE(d.port(), 0) << d.log();

  constexpr int kEvents = 20000;
  std::atomic<bool> write_failed{false};
  std::thread writer([&] {
    for (int i = 0; i < kEvents; ++i) {
      const auto e = event(i);
      if (::write(events, e.data(), e.size()) != static_cast<ssize_t>(e.size())) {
        write_failed = true;
        return;
      }
    }
  });

  const std::string invalid[] = {
      config(10) + "storage: {colour: red}\n",   // unknown key
      "profiles: [\n",                           // not YAML
      config(10) + "default_profile: nobody\n",  // dangling reference
  };
  int healthy = 0;
  for (int round = 0; round < 60; ++round) {
    if (round % 2 == 0)
      install(dir.path(), config(1000 + round));
    else
      install(dir.path(), invalid[round / 2 % 3]);
    d.kill_keep(SIGHUP);
    if (round % 10 == 0) healthy += d.get("/-/healthy").status == 200;
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
  writer.join();
  ASSERT_FALSE(write_failed) << d.log();
  EXPECT_EQ(healthy, 6) << d.log();
  ASSERT_TRUE(d.alive()) << d.log();

  // Every event counted once, whatever the reloads did meanwhile.
  auto taken = [&] { return metric_sum(d.metrics(), "kilter_events_total"); };
  ASSERT_TRUE(eventually([&] { return taken() == kEvents; })) << taken() << "\n" << d.log();
  EXPECT_EQ(metric(d.metrics(), "kilter_events_total{result=\"ok\"}"), kEvents);
  const auto ok = metric(d.metrics(), "kilter_config_reloads_total{result=\"success\"}");
  const auto refused = metric(d.metrics(), "kilter_config_reloads_total{result=\"failure\"}");
  // Signals that arrive together are delivered once: at least one of each kind
  // was seen, and never more than were sent.
  EXPECT_GE(ok.value_or(0), 1);
  EXPECT_GE(refused.value_or(0), 1);
  EXPECT_LE(ok.value_or(0) + refused.value_or(0), 60);

  // The last word is a valid file with a tight rule: it applies to what comes next.
  install(dir.path(), config(2));
  const double before = ok.value_or(0);
  d.kill_keep(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return metric(d.metrics(), "kilter_config_reloads_total{result=\"success\"}").value_or(0) >
           before;
  })) << d.log();
  EXPECT_EQ(metric(d.metrics(), "kilter_config_last_reload_successful"), 1);
  std::string burst;
  for (int i = 0; i < 3; ++i)
    burst += R"({"type":"post","id":"late-)" + std::to_string(i) +
             R"(","account":"fresh","ts":"2026-11-21T10:0)" + std::to_string(i) +
             R"(:00Z","post_id":"q)" + std::to_string(i) +
             R"(","text":"t","category":"professional"})" + "\n";
  burst += R"({"type":"post","id":"tick","account":"fresh","ts":"2026-11-21T12:00:00Z",)"
           R"("post_id":"q9","text":"t","category":"professional"})"
           "\n";
  ASSERT_EQ(::write(events, burst.data(), burst.size()), static_cast<ssize_t>(burst.size()));
  ASSERT_TRUE(eventually([&] {
    for (const auto& line : read_lines(dir / "alerts.ndjson"))
      if (json_field(line, "alert_id") == "fresh/posts/1d") return true;
    return false;
  })) << d.log();

  auto exit = d.stop();
  ::close(events);
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.code, 0) << d.log();
}

}  // namespace
}  // namespace kilter::testing

// Brokers that go away while a daemon consumes under load: the event loop keeps
// serving (/-/healthy answers, the systemd watchdog keeps being pinged),
// readiness says the input is gone and why, and when the brokers return the
// daemon resumes exactly where its state stopped: its figures equal the truth.
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "tests/kafka/support.h"

namespace kilter::testing {
namespace {

using Clock = std::chrono::steady_clock;

// The socket systemd would listen on; a thread notes when each WATCHDOG=1 came.
class WatchdogListener {
 public:
  explicit WatchdogListener(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    thread_ = std::thread([this] {
      char buf[4096];
      while (!stop_) {
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        if (std::string_view(buf, static_cast<std::size_t>(n)).find("WATCHDOG=1") ==
            std::string_view::npos)
          continue;
        std::lock_guard lock(mu_);
        pings_.push_back(Clock::now());
      }
    });
  }
  ~WatchdogListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  std::vector<Clock::time_point> pings() {
    std::lock_guard lock(mu_);
    return pings_;
  }

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Clock::time_point> pings_;
  std::thread thread_;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST_F(KafkaTest, ABrokerOutageStallsNothingAndResumesExactly) {
  // The outage outlasts the session (10 s here; librdkafka's default is 45 s),
  // which is what a blocking commit used to wait for. Reconnection attempts
  // back off up to 500 ms instead of 10 s, so the return is noticed quickly.
  constexpr int kSessionMs = 10'000;
  constexpr auto kOutage = std::chrono::seconds(14);
  // systemd kills a service that does not ping within WatchdogSec.
  constexpr auto kWatchdog = std::chrono::seconds(5);
  extra_properties_ = ", reconnect.backoff.max.ms: \"500\"";
  // The workload's producer too: a request the outage cut off is sent again
  // after 2 s rather than 60 s (a copy that got through is a redelivery, which
  // the daemon recognises by its event id).
  config::KafkaConfig kc;
  kc.brokers = cluster_->bootstraps();
  kc.properties = {{"socket.timeout.ms", "2000"}, {"reconnect.backoff.max.ms", "500"}};
  auto p = kafka::make_producer(kc);
  ASSERT_TRUE(p.ok()) << p.error().message;
  producer_ = std::move(*p);
  auto w = make_workload(30'000, 200, 0.01, 7, now_ms());
  const std::size_t n = w.events.size();
  produce(w, 0, n / 3);
  // Batches of 5 s (and no rules, whose alerts would commit sooner): when the
  // brokers go there is work to commit, and its commit comes during the outage.
  auto dir = daemon_dir("d", "default_profile: \"\"\n", "kilter-test", kSessionMs);
  auto yaml = read_file(dir / "kilter.yaml");
  const std::string interval = "commit_interval: 200ms";
  yaml.replace(yaml.find(interval), interval.size(), "commit_interval: 5s");
  write_file(dir / "kilter.yaml", yaml);
  WatchdogListener watchdog(dir / "notify");
  Daemon d(dir, {"NOTIFY_SOCKET=" + (dir / "notify").string(),
                 "WATCHDOG_USEC=" + std::to_string(kWatchdog.count() * 1'000'000)});
  d.start();
  ASSERT_TRUE(eventually([&] {
                return !d.alive() || metric(d.metrics(), "kilter_ready").value_or(0) == 1;
              }) &&
              d.alive())
      << d.log();
  EXPECT_EQ(metric(d.metrics(), "kilter_source_connected"), 1) << d.metrics();

  // The rest arrives in steps while the daemon consumes; during the outage the
  // producer holds its messages and delivers them when the brokers return.
  std::thread producer([&] {
    for (std::size_t i = n / 3; i < n; i += 500) {
      produce(w, i, i + 500);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  ASSERT_TRUE(eventually([&] {
    return events_taken(d) >= static_cast<double>(n / 2) &&
           metric(d.metrics(), "kilter_uncommitted_messages").value_or(0) > 0;
  })) << d.log();

  ASSERT_TRUE(cluster_->set_down(kafka::MockCluster::kAllBrokers).ok());
  const auto down_at = Clock::now();
  std::string ready_body;
  bool seen_unready = false, seen_disconnected = false;
  int answered = 0, asked = 0;
  while (Clock::now() - down_at < kOutage) {
    // The client waits up to 10 s for each answer.
    ++asked;
    if (d.get("/-/healthy").status == 200) ++answered;
    auto ready = d.get("/-/ready");
    if (ready.status == 503) {
      seen_unready = true;
      ready_body = ready.body;
    }
    if (metric(d.metrics(), "kilter_source_connected") == 0) seen_disconnected = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const auto up_at = Clock::now();
  EXPECT_EQ(answered, asked) << "/-/healthy went unanswered during the outage\n" << d.log();
  EXPECT_TRUE(seen_unready) << "/-/ready stayed 200 without a broker";
  EXPECT_NE(ready_body.find("broker"), std::string::npos) << ready_body;
  EXPECT_TRUE(seen_disconnected) << d.metrics();
  // The watchdog was pinged from the loop all along: never a gap systemd would
  // have killed the daemon for.
  auto pings = watchdog.pings();
  std::size_t during = 0;
  for (std::size_t i = 1; i < pings.size(); ++i) {
    if (pings[i] < down_at || pings[i - 1] > up_at) continue;
    ++during;
    EXPECT_LT(pings[i] - pings[i - 1], kWatchdog)
        << "no watchdog ping for "
        << std::chrono::duration_cast<std::chrono::milliseconds>(pings[i] - pings[i - 1]).count()
        << " ms during the outage";
  }
  EXPECT_GE(during, 3u);

  ASSERT_TRUE(cluster_->set_up(kafka::MockCluster::kAllBrokers).ok());
  producer.join();
  ASSERT_TRUE(eventually([&] { return caught_up(d); }, std::chrono::seconds(120))) << d.log();
  EXPECT_EQ(metric(d.metrics(), "kilter_source_connected"), 1) << d.metrics();
  EXPECT_EQ(d.get("/-/ready").status, 200);
  expect_equal_totals(w.truth, api_totals(d, w));
  ASSERT_EQ(d.stop().code, 0) << d.log();
  expect_equal_totals(w.truth, inspect_totals(d.dir()));
}

}  // namespace
}  // namespace kilter::testing

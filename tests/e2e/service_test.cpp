// kilterd as systemd runs it: notifications on NOTIFY_SOCKET (READY, WATCHDOG,
// RELOADING + MONOTONIC_USEC, STOPPING), SIGHUP reloads (a valid file applies
// without restarting the input, an invalid one is refused and counted), SIGTERM
// drains and exits 0, and `promtool check metrics` accepts the live /metrics.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <gtest/gtest.h>

#include "tests/e2e/daemon.h"

namespace kilter::testing {
namespace {

// The socket systemd would listen on: every datagram the daemon sends.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { ::close(fd_); }
  // Collects what arrived; true once some message contains `text`.
  bool saw(const std::string& text) {
    char buf[4096];
    for (;;) {
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      messages_.emplace_back(buf, static_cast<std::size_t>(n));
    }
    for (const auto& m : messages_)
      if (m.find(text) != std::string::npos) return true;
    return false;
  }
  std::size_t count(const std::string& text) {
    saw(text);
    std::size_t n = 0;
    for (const auto& m : messages_) n += m.find(text) != std::string::npos;
    return n;
  }
  void forget() {
    saw("");
    messages_.clear();
  }
  std::string all() const {
    std::string out;
    for (const auto& m : messages_) out += "[" + m + "] ";
    return out;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

constexpr const char* kConfig = R"(source: {file: "-"}
storage: {path: state, bucket: 1h, commit_interval: 100ms}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: chatter, metric: posts, window: 1d, max: 100}
default_profile: brand
sinks: [{type: file, name: first, path: first.ndjson}]
http: {listen: 127.0.0.1:0}
)";

std::string post(int i, int hour) {
  return R"({"type":"post","id":"e)" + std::to_string(i) +
         R"(","account":"acme","ts":"2026-11-20T)" + (hour < 10 ? "0" : "") + std::to_string(hour) +
         R"(:00:00Z","post_id":"p)" + std::to_string(i) +
         R"(","text":"t","category":"professional"})" + "\n";
}

TEST(Service, NotifiesReloadsAndStopsAsSystemdExpects) {
  TempDir dir;
  write_file(dir / "kilter.yaml", kConfig);
  const auto fifo = dir / "events";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  NotifySocket notify(dir / "notify");
  Daemon d(dir.path(), {"NOTIFY_SOCKET=" + (dir / "notify").string(), "WATCHDOG_USEC=200000"});
  d.start_with_stdin(fifo);
  int events = ::open(fifo.c_str(), O_WRONLY | O_CLOEXEC);  // meets the daemon's stdin
  ASSERT_GE(events, 0);
  auto send = [&](const std::string& s) {
    ASSERT_EQ(::write(events, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  };
  auto taken = [&] { return metric_sum(d.metrics(), "kilter_events_total"); };

  ASSERT_TRUE(eventually([&] { return notify.saw("READY=1"); })) << d.log();
  ASSERT_TRUE(eventually([&] { return notify.count("WATCHDOG=1") >= 3; })) << notify.all();
  send(post(0, 9) + post(1, 10));
  ASSERT_TRUE(eventually([&] { return taken() == 2; })) << d.log();

  // promtool's view of the live exposition.
  if (::access("/usr/bin/promtool", X_OK) == 0) {
    write_file(dir / "metrics.txt", d.metrics());
    auto check = run({"/usr/bin/promtool", "check", "metrics"}, dir / "promtool.out",
                     dir / "promtool.err", {}, dir / "metrics.txt");
    EXPECT_EQ(check.code, 0) << read_file(dir / "promtool.out") << read_file(dir / "promtool.err");
  }

  // A valid change: a tighter rule and a second sink, without restarting the input.
  notify.forget();
  auto next = std::string(kConfig);
  next.replace(next.find("max: 100"), 8, "max: 2");
  const std::string one_sink = "sinks: [{type: file, name: first, path: first.ndjson}]";
  next.replace(next.find(one_sink), one_sink.size(),
               "sinks: [{type: file, name: first, path: first.ndjson},\n"
               "        {type: file, name: second, path: second.ndjson}]");
  write_file(dir / "kilter.yaml", next);
  d.kill_keep(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return metric(d.metrics(), "kilter_config_reloads_total{result=\"success\"}").value_or(0) == 1;
  })) << d.log();
  EXPECT_TRUE(notify.saw("RELOADING=1")) << notify.all();
  EXPECT_TRUE(notify.saw("MONOTONIC_USEC=")) << notify.all();
  EXPECT_TRUE(eventually([&] { return notify.saw("READY=1"); })) << notify.all();
  EXPECT_EQ(metric(d.metrics(), "kilter_config_last_reload_successful"), 1);
  // The new rule and the new sink apply to what comes next.
  send(post(2, 11) + post(3, 12));
  ASSERT_TRUE(eventually([&] { return !read_lines(dir / "second.ndjson").empty(); })) << d.log();
  EXPECT_EQ(json_field(read_lines(dir / "second.ndjson")[0], "alert_id"), "acme/posts/1d");
  EXPECT_FALSE(read_lines(dir / "first.ndjson").empty());

  // An invalid file: refused, counted, the old configuration keeps running.
  write_file(dir / "kilter.yaml", std::string(kConfig) + "storage: {colour: red}\n");
  d.kill_keep(SIGHUP);
  ASSERT_TRUE(eventually([&] {
    return metric(d.metrics(), "kilter_config_reloads_total{result=\"failure\"}").value_or(0) == 1;
  })) << d.log();
  EXPECT_EQ(metric(d.metrics(), "kilter_config_last_reload_successful"), 0);
  EXPECT_NE(d.log().find("reload refused"), std::string::npos);
  send(post(4, 13));
  ASSERT_TRUE(eventually([&] { return taken() == 5; })) << d.log();

  // SIGTERM: drains, commits, says STOPPING=1, exits 0.
  auto exit = d.stop();
  ::close(events);
  EXPECT_FALSE(exit.signaled);
  EXPECT_EQ(exit.code, 0) << d.log();
  EXPECT_TRUE(notify.saw("STOPPING=1")) << notify.all();
}

}  // namespace
}  // namespace kilter::testing

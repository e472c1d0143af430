// Running the outside tools the deploy tests check files with (systemd-analyze,
// cpack, dpkg-deb, promtool, strace), and kilterd on the shipped configuration.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/e2e/daemon.h"

namespace kilter::testing {

struct ToolRun {
  int code = -1;
  std::string out;
  std::string err;
};

// The tool's absolute path when it is installed and executable, else empty.
inline std::string find_tool(const std::string& name) {
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
    auto p = std::string(dir) + name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return {};
}

// Runs argv (argv[0] an absolute path) with its output captured in `scratch`.
inline ToolRun run_tool(const fs::path& scratch, const std::vector<std::string>& argv,
                        const std::vector<std::string>& env = {}, const fs::path& stdin_path = {}) {
  static int runs = 0;
  ++runs;
  auto out = scratch / ("tool." + std::to_string(runs) + ".out");
  auto err = scratch / ("tool." + std::to_string(runs) + ".err");
  auto exit = run(argv, out, err, env, stdin_path);
  return {exit.signaled ? -1 : exit.code, read_file(out), read_file(err)};
}

inline std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

inline const fs::path kShippedConfig = fs::path(KILTER_SOURCE_DIR) / "deploy/examples/kilter.yaml";

// The shipped production configuration, pointed at a test broker, a state and
// log directory under `dir`, and a free loopback port; nothing else changes.
inline std::string shipped_config_for_test(const std::string& brokers, const fs::path& dir) {
  auto text = read_file(kShippedConfig);
  auto swap = [&](const std::string& from, const std::string& to) {
    auto next = replace_all(text, from, to);
    EXPECT_NE(next, text) << "the shipped configuration no longer has " << from;
    text = next;
  };
  swap("kafka-1:9092,kafka-2:9092,kafka-3:9092", brokers);
  swap("/var/lib/kilter", (dir / "state").string());
  swap("/var/log/kilter/", (dir / "log").string() + "/");
  swap("127.0.0.1:9464", "127.0.0.1:0");
  // A test group rejoins quickly (the mock broker waits a session timeout).
  swap("session.timeout.ms: \"30000\"", "session.timeout.ms: \"6000\"");
  fs::create_directories(dir / "log");
  return text;
}

// `kilterd dev-broker` plus `kilterd run` on the shipped configuration; `wrap`
// goes before the daemon's command line (e.g. strace). Stopped on destruction.
class ShippedDaemon {
 public:
  explicit ShippedDaemon(const fs::path& dir, std::vector<std::string> wrap = {}) : dir_(dir) {
    broker_ = spawn(
        {KILTERD_BIN, "dev-broker", "--topic", "social.events:2", "--topic", "social.events.dlq:1",
         "--topic", "social.alerts:1", "--topic", "kilter.changelog:2"},
        dir / "broker.out", dir / "broker.err");
    eventually(
        [&] {
          auto out = read_file(dir / "broker.out");
          if (auto nl = out.find('\n'); nl != std::string::npos) brokers_ = out.substr(0, nl);
          return !brokers_.empty();
        },
        std::chrono::seconds(30));
    if (brokers_.empty()) return;
    write_file(dir / "kilter.yaml", shipped_config_for_test(brokers_, dir));
    std::vector<std::string> argv = std::move(wrap);
    for (const char* a : {KILTERD_BIN, "run", "--config"}) argv.emplace_back(a);
    argv.push_back((dir / "kilter.yaml").string());
    pid_ = spawn(argv, dir / "kilterd.out", dir / "kilterd.err");
  }
  ~ShippedDaemon() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait_for(pid_);
    }
    if (broker_ > 0) {
      ::kill(broker_, SIGTERM);
      wait_for(broker_);
    }
  }
  const std::string& brokers() const { return brokers_; }
  // The HTTP port once logged; 0 if the daemon never listened.
  int port() {
    if (port_ == 0 && pid_ > 0)
      eventually(
          [&] {
            static const std::regex re("http: listening on 127\\.0\\.0\\.1:([0-9]+)");
            std::smatch m;
            auto log = this->log();
            if (std::regex_search(log, m, re)) port_ = std::stoi(m[1]);
            return port_ != 0 || ::waitpid(pid_, nullptr, WNOHANG) != 0;
          },
          std::chrono::seconds(30));
    return port_;
  }
  HttpReply get(const std::string& path) { return http_get(port(), path); }
  // Ready (the consumer has its partitions) and the lag of both partitions known.
  bool consuming() {
    return eventually([&] {
      auto m = get("/metrics").body;
      return metric(m, "kilter_ready") == 1 &&
             metric(m, "kilter_consumer_lag_messages{topic=\"social.events\",partition=\"1\"}");
    });
  }
  // Sends `sig` to kilterd itself (not to a wrapper): `pid` is the daemon's.
  static void signal(pid_t pid, int sig) { ::kill(pid, sig); }
  // Waits for the process started (the wrapper, if any) to exit.
  Exit wait() {
    auto e = wait_for(pid_);
    pid_ = -1;
    return e;
  }
  pid_t pid() const { return pid_; }
  std::string log() const { return read_file(dir_ / "kilterd.err"); }

 private:
  fs::path dir_;
  pid_t broker_ = -1;
  pid_t pid_ = -1;
  std::string brokers_;
  int port_ = 0;
};

}  // namespace kilter::testing

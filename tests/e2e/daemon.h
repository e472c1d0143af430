// A kilterd process under test: started with a config, its HTTP port read from
// its log, queried over loopback, stopped by signal. Waits are for conditions,
// with generous deadlines; they never assert on time.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <thread>

#include "tests/e2e/harness.h"

namespace kilter::testing {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
};

// One GET on a fresh connection to 127.0.0.1:port.
inline HttpReply http_get(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return {};
  }
  std::string resp;
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  HttpReply r;
  if (resp.size() < 12 || resp.compare(0, 5, "HTTP/") != 0) return {};
  r.status = std::stoi(resp.substr(9, 3));
  auto body = resp.find("\r\n\r\n");
  if (body != std::string::npos) r.body = resp.substr(body + 4);
  return r;
}

// The value of one Prometheus sample, e.g. metric(text, "kilter_events_total{result=\"ok\"}").
inline std::optional<double> metric(const std::string& text, const std::string& sample) {
  std::size_t pos = 0;
  while ((pos = text.find(sample, pos)) != std::string::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    auto after = pos + sample.size();
    if (line_start && after < text.size() && text[after] == ' ')
      return std::stod(text.substr(after + 1, text.find('\n', after) - after - 1));
    pos = after;
  }
  return std::nullopt;
}

// Sum of every sample of a family (all label sets).
inline double metric_sum(const std::string& text, const std::string& family) {
  double sum = 0;
  std::size_t pos = 0;
  while ((pos = text.find(family, pos)) != std::string::npos) {
    bool line_start = pos == 0 || text[pos - 1] == '\n';
    auto after = pos + family.size();
    if (line_start && after < text.size() && (text[after] == '{' || text[after] == ' ')) {
      auto space = text.find(' ', text[after] == '{' ? text.find('}', after) : after);
      sum += std::stod(text.substr(space + 1, text.find('\n', space) - space - 1));
    }
    pos = after;
  }
  return sum;
}

// Polls `done` until it holds or the deadline passes; returns whether it held.
inline bool eventually(const std::function<bool()>& done,
                       std::chrono::seconds deadline = std::chrono::seconds(90)) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

class Daemon {
 public:
  Daemon(fs::path dir, std::vector<std::string> env = {})
      : dir_(std::move(dir)), env_(std::move(env)) {}
  ~Daemon() {
    if (pid_ > 0) kill(SIGKILL);
  }

  void start() { start_with_stdin({}); }
  // Its stdin from `path` (a FIFO keeps a `source: {file: "-"}` daemon running).
  void start_with_stdin(const fs::path& path) {
    // Numbered across Daemon objects: two of them may run in one directory in turn.
    static int runs = 0;
    log_ = dir_ / ("err." + std::to_string(++runs));
    pid_ = spawn({KILTERD_BIN, "run", "--config", (dir_ / "kilter.yaml").string()}, dir_ / "out",
                 log_, env_, path);
    port_ = 0;
  }
  // Sends a signal and lets the daemon run on (SIGHUP).
  void kill_keep(int sig) {
    if (alive()) ::kill(pid_, sig);
  }
  // The HTTP port, once the daemon has logged it (0 if it never did).
  int port() {
    if (port_ == 0) {
      eventually(
          [&] {
            static const std::regex re("http: listening on 127\\.0\\.0\\.1:([0-9]+)");
            std::smatch m;
            auto log = read_file(log_);
            if (std::regex_search(log, m, re)) port_ = std::stoi(m[1]);
            return port_ != 0 || !alive();
          },
          std::chrono::seconds(30));
    }
    return port_;
  }
  HttpReply get(const std::string& path) { return http_get(port(), path); }
  std::string metrics() { return get("/metrics").body; }
  bool alive() {
    if (pid_ <= 0) return false;
    if (::waitpid(pid_, &status_, WNOHANG) == 0) return true;
    last_exit_ =
        WIFSIGNALED(status_) ? Exit{true, WTERMSIG(status_)} : Exit{false, WEXITSTATUS(status_)};
    pid_ = -1;
    return false;
  }
  void kill(int sig) {
    if (!alive()) return;
    ::kill(pid_, sig);
    last_exit_ = wait_for(pid_);
    pid_ = -1;
  }
  // SIGTERM: drains, commits, leaves the group.
  Exit stop() {
    kill(SIGTERM);
    return last_exit_;
  }
  std::string log() const { return read_file(log_); }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::vector<std::string> env_;
  pid_t pid_ = -1;
  int status_ = 0;
  int port_ = 0;
  fs::path log_;
  Exit last_exit_;
};

}  // namespace kilter::testing

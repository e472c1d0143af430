// A real Alertmanager (Debian's prometheus-alertmanager) on a loopback port for
// the tests that deliver to it: started with a configuration file, stopped when
// the object goes.
#pragma once

#include <signal.h>

#include "tests/e2e/daemon.h"

namespace kilter::testing {

inline constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";

// A port nobody listens on right now (the kernel's pick for port 0).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class LocalAlertmanager {
 public:
  // Runs it on `config` in `dir` (data, stdout and stderr go there).
  LocalAlertmanager(const fs::path& dir, const fs::path& config) : dir_(dir), port_(free_port()) {
    pid_ = spawn(
        {kAlertmanager, "--config.file=" + config.string(),
         "--storage.path=" + (dir / "am-data").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--cluster.listen-address="},
        dir / "am.out", dir / "am.err");
  }
  ~LocalAlertmanager() {
    ::kill(pid_, SIGTERM);
    wait_for(pid_);
  }
  LocalAlertmanager(const LocalAlertmanager&) = delete;
  LocalAlertmanager& operator=(const LocalAlertmanager&) = delete;

  // Whether it answered /-/ready within 30 s.
  bool ready() {
    return eventually([&] { return http_get(port_, "/-/ready").status == 200; },
                      std::chrono::seconds(30));
  }
  int port() const { return port_; }
  std::string log() const { return read_file(dir_ / "am.err"); }

 private:
  fs::path dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace kilter::testing

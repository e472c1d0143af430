// `kilterd dev-broker`: librdkafka's mock cluster on loopback, for the demo,
// the tests and the benchmarks (no Kafka broker is needed to try Kilter).
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <sstream>

#include <fmt/format.h>

#include "daemon/commands.h"
#include "daemon/logging.h"
#include "kafka/mock_cluster.h"

namespace kilter::daemon {
namespace {

// One control line from stdin: "down N|all", "up N|all", "refuse-produce N".
void control(kafka::MockCluster& cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb, arg;
  in >> verb >> arg;
  if (verb.empty()) return;
  int n = 0;
  bool number = false;
  try {
    std::size_t used = 0;
    n = std::stoi(arg, &used);
    number = used == arg.size();
  } catch (const std::exception&) {
  }
  Result<void> r = ok();
  if ((verb == "down" || verb == "up") && (arg == "all" || number)) {
    const int id = arg == "all" ? kafka::MockCluster::kAllBrokers : n;
    r = verb == "down" ? cluster.set_down(id) : cluster.set_up(id);
  } else if (verb == "refuse-produce" && number && n > 0) {
    cluster.refuse_produce(static_cast<std::size_t>(n));
  } else {
    fmt::print(stderr,
               "dev-broker: unknown command \"{}\" (down N|all, up N|all, refuse-produce N)\n",
               line);
    return;
  }
  if (!r)
    fmt::print(stderr, "dev-broker: {}: {}\n", line, r.error().message);
  else
    fmt::print(stderr, "dev-broker: {}: done\n", line);
}

}  // namespace

int dev_broker(int brokers, const std::vector<std::string>& topics) {
  setup_logging("warn");  // stdout is for the bootstrap address alone
  std::vector<std::pair<std::string, int>> parsed;
  for (const auto& t : topics) {
    auto colon = t.rfind(':');
    std::string name = colon == std::string::npos ? t : t.substr(0, colon);
    int partitions = 1;
    if (colon != std::string::npos) {
      try {
        std::size_t used = 0;
        partitions = std::stoi(t.substr(colon + 1), &used);
        if (used != t.size() - colon - 1) partitions = 0;
      } catch (const std::exception&) {
        partitions = 0;
      }
    }
    if (name.empty() || partitions < 1) {
      fmt::print(stderr, "--topic {}: expected NAME or NAME:PARTITIONS (PARTITIONS >= 1)\n", t);
      return kExitConfig;
    }
    parsed.emplace_back(name, partitions);
  }
  // Block the signals before librdkafka starts its threads, so that only
  // the signalfd below receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  auto cluster = kafka::start_mock_cluster(brokers);
  if (!cluster) {
    fmt::print(stderr, "dev-broker: {}\n", cluster.error().message);
    return kExitRuntime;
  }
  for (const auto& [name, partitions] : parsed) {
    if (auto r = (*cluster)->create_topic(name, partitions); !r) {
      fmt::print(stderr, "dev-broker: {}\n", r.error().message);
      return kExitRuntime;
    }
  }
  fmt::print("{}\n", (*cluster)->bootstraps());
  std::fflush(stdout);
  for (const auto& [name, partitions] : parsed)
    fmt::print(stderr, "dev-broker: topic {} with {} partition(s)\n", name, partitions);
  fmt::print(stderr,
             "dev-broker: {} broker(s) serving on {} until SIGINT/SIGTERM (other topics are "
             "created on first use with 4 partitions; each partition keeps ~5 MiB); "
             "commands on stdin: down N|all, up N|all, refuse-produce N\n",
             brokers, (*cluster)->bootstraps());
  // Started in the background of an interactive shell, reading the terminal
  // fails (EIO) instead of stopping the process: the control is then off.
  std::signal(SIGTTIN, SIG_IGN);
  const int sfd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sfd < 0) {
    fmt::print(stderr, "dev-broker: signalfd failed\n");
    return kExitRuntime;
  }
  bool reading = true;
  std::string pending;
  for (;;) {
    pollfd fds[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (::poll(fds, reading ? 2 : 1, -1) < 0) continue;  // EINTR
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo si{};
      if (::read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        fmt::print(stderr, "dev-broker: signal {}, stopping\n", si.ssi_signo);
        ::close(sfd);
        return kExitOk;
      }
    }
    if (reading && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[512];
      auto n = ::read(STDIN_FILENO, buf, sizeof buf);
      if (n <= 0) {
        reading = false;  // end of input (or not ours to read): serve until a signal
        continue;
      }
      pending.append(buf, static_cast<std::size_t>(n));
      for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
        control(**cluster, pending.substr(0, nl));
        pending.erase(0, nl + 1);
      }
    }
  }
}

}  // namespace kilter::daemon

// `kilterd dev-broker`: librdkafka's mock cluster on loopback, for the demo,
// the tests and the benchmarks (no Kafka broker is needed to try Kilter).
#include <csignal>
#include <cstdio>

#include <fmt/format.h>

#include "daemon/commands.h"
#include "daemon/logging.h"
#include "kafka/mock_cluster.h"

namespace kilter::daemon {

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
  // sigwait below receives them.
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
             "created on first use with 4 partitions; each partition keeps ~5 MiB)\n",
             brokers, (*cluster)->bootstraps());
  int sig = 0;
  sigwait(&set, &sig);
  fmt::print(stderr, "dev-broker: signal {}, stopping\n", sig);
  return kExitOk;
}

}  // namespace kilter::daemon

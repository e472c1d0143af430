#include <fmt/format.h>

#include "config/loader.h"
#include "daemon/commands.h"
#include "daemon/logging.h"
#include "kafka/source.h"

namespace kilter::daemon {

int check_config(const std::string& path) {
  auto loaded = config::load_file(path);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
    fmt::print(stderr, "{}: {} error{}\n", path, loaded.errors.size(),
               loaded.errors.size() == 1 ? "" : "s");
    return kExitConfig;
  }
  const auto& c = *loaded.config;
  if (c.kafka) {
    // librdkafka's own verdict on the verbatim properties, before a start fails on them.
    auto errors = kafka::check_properties(*c.kafka);
    // Shown with ${VAR} in place of what it expanded to (librdkafka echoes values).
    set_redactions(c.expansions);
    for (const auto& e : errors) fmt::print(stderr, "{}: {}\n", path, redact(e));
    if (!errors.empty()) return kExitConfig;
  }
  std::size_t rules = 0;
  for (const auto& [name, p] : c.profiles) rules += p.rules.size();
  fmt::print("{}: OK ({} input, {} profiles, {} rules, {} account entries, {} sinks)\n", path,
             c.source ? "file" : "kafka", c.profiles.size(), rules, c.accounts.size(),
             c.sinks.size());
  if (c.kafka && !c.source)
    fmt::print("{}: changelog {}, {} standby replica{}\n", path,
               c.kafka->changelog_topic.empty() ? "none" : c.kafka->changelog_topic,
               c.kafka->standby_replicas, c.kafka->standby_replicas == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace kilter::daemon

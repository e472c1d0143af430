#include <fmt/format.h>

#include "config/loader.h"
#include "daemon/commands.h"

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
  std::size_t rules = 0;
  for (const auto& [name, p] : c.profiles) rules += p.rules.size();
  fmt::print("{}: OK ({} input, {} profiles, {} rules, {} account entries, {} sinks)\n", path,
             c.source ? "file" : "kafka", c.profiles.size(), rules, c.accounts.size(),
             c.sinks.size());
  return kExitOk;
}

}  // namespace kilter::daemon

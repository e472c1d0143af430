// `kilterd inspect`: the stored per-account figures, one JSON line per account,
// read from the state directory while the daemon is not running.
#include <cstdio>

#include <fmt/format.h>

#include "config/loader.h"
#include "daemon/commands.h"
#include "daemon/logging.h"
#include "pipeline/engine/account_view.h"
#include "pipeline/engine/stored_accounts.h"

namespace kilter::daemon {

int inspect(const std::string& config_path, const std::string& account) {
  setup_logging("warn");  // stdout carries the figures; progress lines would pollute it
  auto loaded = config::load_file(config_path);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
    return kExitConfig;
  }
  auto cfg = std::make_shared<const config::Config>(std::move(*loaded.config));
  auto store = storage::open_rocks_store({.path = cfg->storage.path,
                                          .block_cache_bytes = cfg->storage.block_cache_mib << 20,
                                          .memtable_bytes = cfg->storage.memtable_mib << 20});
  if (!store) {
    fmt::print(stderr, "state store: {}\n", store.error().message);
    return kExitRuntime;
  }
  // The accounts as stored: no engine (no writer thread, no outbox) to read them.
  const pipeline::StoredAccounts accounts(cfg, **store);
  bool found = false;
  accounts.for_each_account([&](const pipeline::AccountState& a, TimePoint at) {
    if (!account.empty() && a.id.view() != account) return;
    found = true;
    fmt::print("{}\n", pipeline::account_json(a, *cfg, at, **store));
  });
  if (!account.empty() && !found) {
    fmt::print(stderr, "no state for account {}\n", account);
    return kExitConfig;
  }
  return kExitOk;
}

}  // namespace kilter::daemon

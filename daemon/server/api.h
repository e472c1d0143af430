// The HTTP endpoints: /metrics, /-/healthy, /-/ready, the JSON API
// (/api/v1/accounts/{id}, /api/v1/accounts?status=..., /api/v1/alerts) and the
// status page (/, status_page.h). Handlers run on the event loop, so they read the
// engine's accounts directly (through pipeline::AccountReader). With a token configured, everything
// but /metrics and the health endpoints needs `Authorization: Bearer <token>`: the status page
// shows the same account figures as the API, so it is guarded like it.
#pragma once

#include <functional>

#include "daemon/server/http_server.h"
#include "daemon/server/metrics.h"
#include "pipeline/engine/account_reader.h"
#include "storage/state_store.h"

namespace kilter::daemon {

// An input partition this daemon holds, for GET /api/v1/partitions.
struct PartitionStatus {
  std::string name;      // "<topic>:<partition>"
  bool warming = false;  // being restored from the changelog: not consumed yet
};

struct ApiContext {
  // The accounts (the engine's, in memory): read access only.
  const pipeline::AccountReader& accounts;
  storage::StateStore& store;
  std::function<bool()> ready;           // state open and the source has its partitions
  std::function<std::string()> metrics;  // the /metrics text
  std::string token;                     // empty: no authorization asked
  // The 503's text when not ready (empty: none given).
  std::function<std::string()> not_ready_why = {};
  // Why the daemon stopped working (a failed commit): /-/healthy answers 503
  // with it. Unset or nullopt: healthy.
  std::function<std::optional<std::string>()> stopped = {};
  // The partitions held now (unset: none to tell).
  std::function<std::vector<PartitionStatus>()> partitions = {};
};

HttpResponse handle_request(const ApiContext& ctx, const HttpRequest& req);

}  // namespace kilter::daemon

// The HTTP endpoints: /metrics, /-/healthy, /-/ready, the JSON API
// (/api/v1/accounts/{id}, /api/v1/accounts?status=..., /api/v1/alerts) and the
// status page (/). Handlers run on the event loop, so they read the engine
// directly. With a token configured, everything but /metrics and the health
// endpoints needs `Authorization: Bearer <token>`.
#pragma once

#include <functional>

#include "daemon/http_server.h"
#include "daemon/metrics.h"
#include "pipeline/engine.h"
#include "storage/state_store.h"

namespace kilter::daemon {

struct ApiContext {
  const pipeline::Engine& engine;
  storage::StateStore& store;
  std::function<bool()> ready;           // state open and the source has its partitions
  std::function<std::string()> metrics;  // the /metrics text
  std::function<std::string()> page;     // the status page (HTML)
  std::string token;                     // empty: no authorization asked
};

HttpResponse handle_request(const ApiContext& ctx, const HttpRequest& req);

}  // namespace kilter::daemon

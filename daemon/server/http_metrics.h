// The HTTP server's metrics, declared beside it (common/metrics.h): read from
// HttpServer::Stats (HttpServer::stats()).
#pragma once

#include "common/metrics.h"
#include "daemon/server/http_server.h"

// Full name, help text, the HttpServer::Stats field read.
#define KILTER_HTTP_SERVER_METRICS(COUNTER, GAUGE) \
  COUNTER(kilter_http_requests_total, "HTTP requests served.", requests)

namespace kilter::daemon {

// The list above and kilter_http_connections_closed_total{reason=evicted|rejected}.
void write_metrics(metrics::Writer& out, const HttpServer::Stats& stats);

}  // namespace kilter::daemon

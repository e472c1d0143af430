#include "daemon/server/http_metrics.h"

namespace kilter::daemon {

void write_metrics(metrics::Writer& out, const HttpServer::Stats& stats) {
  KILTER_HTTP_SERVER_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
  // evicted_connections, rejected_connections
  out.family("kilter_http_connections_closed_total",
             "HTTP connections closed by the connection bounds: evicted (the longest-waiting one, "
             "to make room) or rejected (none could).",
             metrics::Type::counter);
  out.sample({{"reason", "evicted"}}, static_cast<double>(stats.evicted_connections));
  out.sample({{"reason", "rejected"}}, static_cast<double>(stats.rejected_connections));
}

}  // namespace kilter::daemon

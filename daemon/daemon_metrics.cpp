#include "daemon/daemon_metrics.h"

#include "daemon/server/http_metrics.h"
#include "daemon/server/metrics.h"
#include "kafka/producer_metrics.h"
#include "pipeline/delivery/delivery_metrics.h"
#include "storage/storage_metrics.h"

namespace kilter::daemon {

void write_metrics(metrics::Writer& out, const DaemonStats& stats) {
  KILTER_DAEMON_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
  out.family("kilter_config_reloads_total", "Configuration reloads (SIGHUP).",
             metrics::Type::counter);
  out.sample({{"result", "success"}}, static_cast<double>(stats.reloads));
  out.sample({{"result", "failure"}}, static_cast<double>(stats.reload_failures));
  out.gauge("kilter_config_last_reload_success_timestamp_seconds",
            "When the configuration was last loaded successfully (the start counts).",
            static_cast<double>(epoch_ms(stats.last_reload_success)) / 1000.0);
}

std::string render_metrics(const MetricsSnapshot& s) {
  TextExposition out;
  pipeline::write_metrics(out, s.engine, s.engine_now);
  pipeline::write_metrics(out, s.outbox, s.sinks);
  storage::write_metrics(out, s.store);
  pipeline::write_metrics(out, s.source);
  kafka::write_metrics(out, s.producer);
  write_metrics(out, s.http);
  write_metrics(out, s.daemon);
  return out.text();
}

}  // namespace kilter::daemon

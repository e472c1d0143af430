// The daemon's own metrics (readiness, configuration reloads), declared beside
// it (common/metrics.h), and /metrics as a whole: every component's figures
// read at scrape time into a MetricsSnapshot, each component writing its own
// metrics (engine_metrics.h, delivery_metrics.h, storage_metrics.h,
// source_metrics.h, producer_metrics.h, http_metrics.h) into the one
// exposition (daemon/server/metrics.h). No per-account labels: per-account
// figures are in the API.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "common/types.h"
#include "daemon/server/http_server.h"
#include "kafka/producer.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/engine_metrics.h"
#include "pipeline/ingest/source_metrics.h"
#include "storage/state_store.h"

// Full name, help text, the DaemonStats field read.
#define KILTER_DAEMON_METRICS(COUNTER, GAUGE)                                                    \
  GAUGE(kilter_ready,                                                                            \
        "1 while state is open and the source has its partitions and reaches its input.", ready) \
  GAUGE(kilter_config_last_reload_successful,                                                    \
        "1 when the last reload applied (or none was tried), 0 when it was refused.",            \
        last_reload_ok)

namespace kilter::daemon {

struct DaemonStats {
  bool ready = false;                 // state open, partitions assigned, input reached
  std::uint64_t reloads = 0;          // configuration reloads applied
  std::uint64_t reload_failures = 0;  // ... and refused
  bool last_reload_ok = true;
  TimePoint last_reload_success{};  // the start counts as one
};

// The list above, kilter_config_reloads_total{result=success|failure} (reloads,
// reload_failures) and kilter_config_last_reload_success_timestamp_seconds
// (last_reload_success).
void write_metrics(metrics::Writer& out, const DaemonStats& stats);

struct MetricsSnapshot {
  const pipeline::EngineStats& engine;
  pipeline::EngineGauges engine_now;
  pipeline::OutboxStats outbox;
  std::vector<pipeline::SinkStats> sinks;
  storage::StoreStats store;
  pipeline::SourceStats source;
  kafka::ProducerStats producer{};  // zero without a producer
  HttpServer::Stats http{};         // zero without the server
  DaemonStats daemon{};
};

// Every component's metrics, in Prometheus's text format.
std::string render_metrics(const MetricsSnapshot& s);

}  // namespace kilter::daemon

// The Prometheus exposition of /metrics. Figures are read from the components'
// own counters at scrape time (nothing is counted twice); prometheus-cpp does
// the text format. No per-account labels: per-account figures are in the API.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/engine.h"
#include "pipeline/ingest/source.h"
#include "storage/state_store.h"

namespace kilter::daemon {

struct MetricsSnapshot {
  const pipeline::EngineStats& engine;
  std::size_t uncommitted = 0;  // messages taken, not yet committed
  pipeline::OutboxStats outbox;
  std::vector<pipeline::SinkStats> sinks;
  storage::StoreStats store;
  std::vector<pipeline::PartitionLag> lag;
  std::uint64_t produced = 0;          // Kafka messages acknowledged (dead letters, alerts)
  std::uint64_t produce_failures = 0;  // Kafka delivery reports with an error
  std::uint64_t http_requests = 0;
  std::uint64_t http_evicted = 0;   // connections closed to make room (connection bounds)
  std::uint64_t http_rejected = 0;  // connections refused: none could make room
  bool ready = false;
  bool source_connected = true;               // a broker reachable (Kafka)
  pipeline::DeadLetterStats dead_letters{};   // the source's dead-letter topic
  std::array<std::size_t, 2> alert_states{};  // pending, firing (now)
  std::uint64_t reloads = 0;                  // configuration reloads applied
  std::uint64_t reload_failures = 0;          // ... and refused
  bool last_reload_ok = true;
  TimePoint last_reload_success{};  // the start counts as one
};

std::string render_metrics(const MetricsSnapshot& s);

}  // namespace kilter::daemon

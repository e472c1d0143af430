// The engine's metrics, declared beside it (common/metrics.h): read from
// EngineStats (Engine::stats()) and two figures of now, at scrape time.
#pragma once

#include <array>
#include <cstddef>

#include "common/metrics.h"
#include "pipeline/engine/engine.h"

// Single-sample metrics: full name, help text, the EngineStats field read.
#define KILTER_ENGINE_METRICS(COUNTER, GAUGE)                                                    \
  COUNTER(kilter_unattributed_engagement_total,                                                  \
          "Engagement events naming a post not seen (kept as unattributed).",                    \
          unattributed_engagement)                                                               \
  COUNTER(kilter_account_evaluations_total,                                                      \
          "Accounts evaluated at a boundary (those whose figures could have changed).",          \
          account_evaluations)                                                                   \
  COUNTER(kilter_dedupe_evicted_total,                                                           \
          "Event ids forgotten before the watermark passed them (pipeline.dedupe_max_ids).",     \
          seen_ids_evicted)                                                                      \
  COUNTER(kilter_post_cache_misses_total,                                                        \
          "Engagement whose post was not among the cached recent posts (read from the store).",  \
          post_cache_misses)                                                                     \
  COUNTER(kilter_commits_total, "State batches written.", commits)                               \
  COUNTER(kilter_commits_deferred_total,                                                         \
          "Commits put off because the source refused the positions.", commits_deferred)         \
  COUNTER(kilter_discarded_messages_total,                                                       \
          "Uncommitted messages given up on a revocation (read again by the next owner).",       \
          messages_discarded)                                                                    \
  COUNTER(kilter_alerts_unrouted_total, "Notifications no sink was routed to.", alerts_unrouted) \
  COUNTER(kilter_digests_total, "Digest records staged (one per account and period).", digests) \
  COUNTER(kilter_changelog_records_total,                                                        \
          "Records written to the changelog and acknowledged (deltas, snapshot chunks).",        \
          changelog_records)                                                                     \
  COUNTER(kilter_changelog_bytes_total, "Bytes (keys and values) appended to the changelog.",    \
          changelog_bytes)                                                                       \
  COUNTER(kilter_changelog_send_failures_total,                                                  \
          "Commits whose changelog records were not acknowledged (the batch is sent again).",    \
          changelog_send_failures)

#define KILTER_ENGINE_HISTOGRAMS(HISTOGRAM)                                                    \
  HISTOGRAM(kilter_commit_batch_messages, "Messages per state batch written.", batch_messages) \
  HISTOGRAM(kilter_commit_duration_seconds,                                                    \
            "Time to commit a batch: group offsets (Kafka) and the RocksDB write.",            \
            commit_seconds)                                                                    \
  HISTOGRAM(kilter_alert_latency_seconds,                                                      \
            "From the input timestamp of the message that raised an alert to the alert "       \
            "committed and handed to the sinks.",                                              \
            alert_latency_seconds)

namespace kilter::pipeline {

// Figures of now the engine computes when asked (not counters in EngineStats).
struct EngineGauges {
  std::size_t uncommitted = 0;                // Engine::uncommitted()
  std::array<std::size_t, 2> alert_states{};  // Engine::alert_state_counts(): pending, firing
  std::size_t warming = 0;                    // Engine::warming().size()
  // Engine::restore_progress(), read now (the restorer's thread adds to it).
  std::uint64_t restore_records = 0, restore_bytes = 0, restore_retries = 0;
};
// The gauges of `e` now.
EngineGauges engine_gauges(const Engine& e);

// kilter_events_total, kilter_bad_events_total, kilter_posts_total,
// kilter_alert_transitions_total, kilter_evaluations_total,
// kilter_alerts_suppressed_total, kilter_uncommitted_messages, kilter_alerts and
// the lists above.
void write_metrics(metrics::Writer& out, const EngineStats& stats, const EngineGauges& now);

}  // namespace kilter::pipeline

#include "pipeline/engine/engine_metrics.h"

#include <string>

namespace kilter::pipeline {

void write_metrics(metrics::Writer& out, const EngineStats& stats, const EngineGauges& now) {
  using metrics::Type;
  auto n = [](std::uint64_t v) { return static_cast<double>(v); };

  // events[result]
  out.family("kilter_events_total", "Messages taken from the source, each counted once by result.",
             Type::counter);
  for (std::size_t r = 0; r < kEventResults; ++r)
    out.sample({{"result", to_string(static_cast<EventResult>(r))}}, n(stats.events[r]));
  // bad[reason]
  out.family("kilter_bad_events_total", "Bad input messages by reason.", Type::counter);
  for (std::size_t r = 0; r < kBadInputReasons; ++r)
    out.sample({{"reason", to_string(static_cast<BadInput>(r))}}, n(stats.bad[r]));
  // posts[category]
  out.family("kilter_posts_total", "Accepted posts by category.", Type::counter);
  for (std::size_t c = 0; c < kCategories; ++c)
    out.sample({{"category", to_string(static_cast<Category>(c))}}, n(stats.posts[c]));
  // alerts_firing, alerts_resolved
  out.family("kilter_alert_transitions_total", "Alert notifications emitted, by status.",
             Type::counter);
  out.sample({{"status", "firing"}}, n(stats.alerts_firing));
  out.sample({{"status", "resolved"}}, n(stats.alerts_resolved));
  // evaluations (of which idle_evaluations were on wall-clock time)
  out.family("kilter_evaluations_total",
             "Rule evaluations of a partition at a bucket boundary, by trigger.", Type::counter);
  out.sample({{"trigger", "watermark"}}, n(stats.evaluations - stats.idle_evaluations));
  out.sample({{"trigger", "wall_clock"}}, n(stats.idle_evaluations));
  // alerts_muted, alerts_inhibited
  out.family("kilter_alerts_suppressed_total", "Firing alerts not told to the sinks, by reason.",
             Type::counter);
  out.sample({{"reason", "muted"}}, n(stats.alerts_muted));
  out.sample({{"reason", "inhibited"}}, n(stats.alerts_inhibited));

  KILTER_ENGINE_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
  KILTER_ENGINE_HISTOGRAMS(KILTER_METRIC_HISTOGRAM)

  out.family("kilter_changelog_snapshots_total",
             "Partition snapshots for the changelog: written, or refused as too large.",
             Type::counter);
  out.sample({{"result", "written"}}, n(stats.changelog_snapshots));
  out.sample({{"result", "refused"}}, n(stats.changelog_snapshots_refused));
  out.family("kilter_changelog_restores_total",
             "Assigned partitions restored from the changelog: after the local head (partial), "
             "from a snapshot (full), or failed (the partition went on from local state).",
             Type::counter);
  out.sample({{"result", "partial"}}, n(stats.restores_partial));
  out.sample({{"result", "full"}}, n(stats.restores_full));
  out.sample({{"result", "failed"}}, n(stats.restores_failed));
  out.family("kilter_changelog_standby_updates_total",
             "Partitions held by other members caught up to the group's head (standbys).",
             Type::counter);
  out.sample({{"result", "ok"}}, n(stats.standby_updates));
  out.sample({{"result", "failed"}}, n(stats.standby_failures));
  out.counter("kilter_changelog_restore_records_total",
              "Changelog records applied by restores (snapshot chunks and deltas).",
              n(now.restore_records));
  out.counter("kilter_changelog_restore_bytes_total", "Bytes read from the changelog by restores.",
              n(now.restore_bytes));
  out.counter("kilter_changelog_restore_retries_total",
              "Restores tried again because the changelog was away.", n(now.restore_retries));
  out.gauge("kilter_partitions_warming",
            "Assigned partitions being restored: not consumed, not evaluated yet.",
            static_cast<double>(now.warming));
  out.gauge("kilter_uncommitted_messages", "Messages taken but not yet committed.",
            static_cast<double>(now.uncommitted));
  out.family("kilter_alerts", "Alerts by current state (all accounts in memory).", Type::gauge);
  out.sample({{"state", "pending"}}, static_cast<double>(now.alert_states[0]));
  out.sample({{"state", "firing"}}, static_cast<double>(now.alert_states[1]));
}

EngineGauges engine_gauges(const Engine& e) {
  EngineGauges g;
  g.uncommitted = e.uncommitted();
  g.alert_states = e.alert_state_counts();
  g.warming = e.warming().size();
  if (const auto* p = e.restore_progress()) {
    g.restore_records = p->records_applied.load(std::memory_order_relaxed);
    g.restore_bytes = p->bytes_read.load(std::memory_order_relaxed);
  }
  g.restore_retries = e.restore_retries();
  return g;
}

}  // namespace kilter::pipeline

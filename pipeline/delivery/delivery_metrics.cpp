#include "pipeline/delivery/delivery_metrics.h"

namespace kilter::pipeline {

void write_metrics(metrics::Writer& out, const OutboxStats& stats,
                   std::span<const SinkStats> sinks) {
  using metrics::Type;
  KILTER_OUTBOX_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)

  auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  // SinkStats::pending
  out.family("kilter_outbox_pending", "Alert records a sink still owes.", Type::gauge);
  for (const auto& k : sinks) out.sample({{"sink", k.name}}, n(k.pending));
  // SinkStats::delivered, rejected, attempts_failed, skipped
  out.family("kilter_alert_deliveries_total",
             "Alert records confirmed by a sink, given up on (the receiver refused them), "
             "failed attempts (retried), and digests a sink has no use for, confirmed unsent.",
             Type::counter);
  for (const auto& k : sinks) {
    out.sample({{"sink", k.name}, {"result", "ok"}}, n(k.delivered));
    out.sample({{"sink", k.name}, {"result", "rejected"}}, n(k.rejected));
    out.sample({{"sink", k.name}, {"result", "failed"}}, n(k.attempts_failed));
    out.sample({{"sink", k.name}, {"result", "skipped"}}, n(k.skipped));
  }
  // SinkStats::reminders
  out.family("kilter_alert_reminders_total",
             "Reminders of still-firing alerts sent (repeat_interval).", Type::counter);
  for (const auto& k : sinks) out.sample({{"sink", k.name}}, n(k.reminders));
}

}  // namespace kilter::pipeline

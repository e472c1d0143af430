// The outbox's and the sinks' metrics, declared beside them (common/metrics.h):
// read from OutboxStats (Outbox::stats()) and SinkStats (Outbox::sink_stats()).
#pragma once

#include <span>

#include "common/metrics.h"
#include "pipeline/delivery/outbox.h"

// Single-sample metrics: full name, help text, the OutboxStats field read.
#define KILTER_OUTBOX_METRICS(COUNTER, GAUGE)                                                   \
  GAUGE(kilter_outbox_entries, "Alert records not yet taken by every sink they are routed to.", \
        entries)                                                                                \
  GAUGE(kilter_outbox_full,                                                                     \
        "1 while the outbox is at outbox.max_entries (no new messages are "                     \
        "taken).",                                                                              \
        full)                                                                                   \
  COUNTER(kilter_outbox_record_failures_total,                                                  \
          "Sink confirmations the store failed to record (delivered again after a restart).",   \
          record_failures)                                                                      \
  COUNTER(kilter_outbox_unreadable_total,                                                       \
          "Stored outbox entries that were no alert record at a restart: dropped.", unreadable)

namespace kilter::pipeline {

// The list above, and per sink (label sink): kilter_outbox_pending,
// kilter_alert_deliveries_total{result=ok|rejected|failed},
// kilter_alert_reminders_total.
void write_metrics(metrics::Writer& out, const OutboxStats& stats,
                   std::span<const SinkStats> sinks);

}  // namespace kilter::pipeline

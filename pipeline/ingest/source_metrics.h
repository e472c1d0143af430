// The source's metrics, declared beside the Source port (common/metrics.h):
// what every source reports (partitions, lag, connected; a file source: one
// partition, no lag, always connected) and its dead-letter topic (Kafka).
#pragma once

#include <vector>

#include "common/metrics.h"
#include "pipeline/ingest/source.h"

// Full name, help text, the DeadLetterStats field read.
#define KILTER_DEAD_LETTER_METRICS(COUNTER, GAUGE) \
  GAUGE(kilter_dead_letters_pending,               \
        "Dead letters not acknowledged yet; the offsets past them are not committed.", pending)

namespace kilter::pipeline {

// What /metrics reads of a source at scrape time.
struct SourceStats {
  std::vector<PartitionLag> lag;   // Source::lag(): one per partition read now
  bool connected = true;           // Source::connected()
  DeadLetterStats dead_letters{};  // Source::dead_letter_stats()
};
SourceStats source_stats(const Source& source);

// kilter_source_connected, kilter_consumer_lag_messages{topic,partition} (the
// partitions whose lag is known), kilter_source_partitions,
// kilter_dead_letters_total{result=sent|truncated|failed} and the list above.
void write_metrics(metrics::Writer& out, const SourceStats& source);

}  // namespace kilter::pipeline

#include "pipeline/ingest/source_metrics.h"

#include <string>

namespace kilter::pipeline {

SourceStats source_stats(const Source& source) {
  return {source.lag(), source.connected(), source.dead_letter_stats()};
}

void write_metrics(metrics::Writer& out, const SourceStats& source) {
  using metrics::Type;
  auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  // dead_letters.sent, .truncated, .failed
  const auto& stats = source.dead_letters;
  out.family("kilter_dead_letters_total",
             "Bad input copied to the dead-letter topic: sent (acknowledged), truncated (sent cut "
             "to the topic's largest message), failed (refused attempts, each sent again while "
             "the offsets wait).",
             Type::counter);
  out.sample({{"result", "sent"}}, n(stats.sent));
  out.sample({{"result", "truncated"}}, n(stats.truncated));
  out.sample({{"result", "failed"}}, n(stats.failed));
  KILTER_DEAD_LETTER_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
  // connected
  out.gauge("kilter_source_connected",
            "1 while the source reaches its input (a Kafka broker is connected; a file: always).",
            source.connected ? 1 : 0);
  // lag[i].lag by topic and source_partition; lag.size()
  out.family("kilter_consumer_lag_messages",
             "Messages between the consumer's position and the end of the partition.", Type::gauge);
  for (const auto& l : source.lag)
    if (l.lag >= 0)
      out.sample({{"topic", l.topic}, {"partition", std::to_string(l.source_partition)}},
                 static_cast<double>(l.lag));
  out.gauge("kilter_source_partitions", "Input partitions this daemon reads now.",
            static_cast<double>(source.lag.size()));
}

}  // namespace kilter::pipeline

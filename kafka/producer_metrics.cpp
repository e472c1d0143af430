#include "kafka/producer_metrics.h"

namespace kilter::kafka {

void write_metrics(metrics::Writer& out, const ProducerStats& stats) {
  out.family("kilter_kafka_produced_total",
             "Kafka messages produced (dead letters, alerts), by result.", metrics::Type::counter);
  out.sample({{"result", "ok"}}, static_cast<double>(stats.produced));
  out.sample({{"result", "failed"}}, static_cast<double>(stats.failed));
}

}  // namespace kilter::kafka

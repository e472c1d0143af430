// The Kafka producer's metrics, declared beside it (common/metrics.h): read
// from ProducerStats (Producer::stats()); it carries the dead letters and the
// Kafka alert sink's messages.
#pragma once

#include "common/metrics.h"
#include "kafka/producer.h"

namespace kilter::kafka {

// kilter_kafka_produced_total{result=ok|failed}: ProducerStats::produced, failed.
void write_metrics(metrics::Writer& out, const ProducerStats& stats);

}  // namespace kilter::kafka

// The Kafka source: a consumer group member handing messages to the pipeline.
//
// Positions: the offsets that count are the ones in the state store. On every
// assignment the consumer starts each partition at its stored position; the
// group's committed offset is used when there is no stored state, or when the
// group is ahead because another member (another state store) consumed the
// partition since. Before each state batch is written the positions are
// committed to the group, with this store's instance id as metadata; the batch
// is written only once the group accepted them. A refused commit (a rebalance
// in progress), or one not answered within `commit_wait` (no broker), keeps the
// batch back, so the group offset and the stored position never disagree about
// who counted what, and the event loop never waits on a broker that is away.
//
// Readiness: ready() is false (unready_reason() says why) while no broker is
// connected (librdkafka's statistics, every statistics.interval.ms), while the
// group coordinator is away, and while the member has no assignment.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "kafka/producer.h"
#include "pipeline/ingest/source.h"

namespace kilter::kafka {

struct SourceOptions {
  std::string instance_id;  // the state store's; written with every group commit
  // The pipeline's partition for a Kafka (topic, partition): stable across restarts.
  std::function<Result<Partition>(std::string_view topic, std::int32_t partition)> partition_of;
  Producer* dead_letters = nullptr;  // with config.dead_letter_topic
  // The longest the event loop waits for a group commit's answer while a broker
  // is reachable; a later answer is collected at the next checkpoint.
  std::chrono::milliseconds commit_wait{1'000};
  // In a rebalance (the batch is given up without an answer) and for the
  // group's offsets at assignment.
  std::chrono::milliseconds commit_timeout{10'000};
  // The most the source copies out of librdkafka ahead of the event loop
  // (kafka/README.md, "The consumer's one-second pause"). 24 MiB: on the
  // 1M-event benchmark 203-216k msg/s at 289-305 MiB peak RSS, against 154-184k
  // at 16 MiB and 207-235k at 32 MiB (290-342 MiB); ~120k without.
  std::size_t prefetch_bytes = std::size_t{24} << 20;
};

// The librdkafka settings Kilter sets itself, whatever kafka.properties says
// (manual offsets) and the defaults it chooses when properties leave them out.
std::map<std::string, std::string> consumer_settings(const config::KafkaConfig& c);
std::map<std::string, std::string> consumer_defaults();

// Subscribes to config.topics; partitions arrive through the listener.
Result<std::unique_ptr<pipeline::Source>> open_source(const config::KafkaConfig& c,
                                                      SourceOptions opts);

// Checks kafka.properties (names and values) as librdkafka would, without
// connecting: for `kilterd check-config`.
std::vector<std::string> check_properties(const config::KafkaConfig& c);

// The pipeline partition of a Kafka partition: source id (per topic) and
// partition number in one int32.
Result<Partition> pipeline_partition(std::uint32_t source_id, std::int32_t kafka_partition);

}  // namespace kilter::kafka

// The consumer's librdkafka settings (Kilter's own, and the defaults it
// chooses), their check for `kilterd check-config`, and the pipeline's
// numbering of Kafka partitions.
#include <fmt/format.h>

#include "kafka/client.h"
#include "kafka/source.h"

namespace kilter::kafka {

std::map<std::string, std::string> consumer_settings(const config::KafkaConfig& c) {
  return {{"bootstrap.servers", c.brokers},
          {"group.id", c.group_id},
          // Offsets are committed by Kilter, in step with its state batches.
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"enable.partition.eof", "false"}};
}

std::map<std::string, std::string> consumer_defaults() {
  // An eager assignor: a revocation takes every partition at once, which is what
  // lets one batch span partitions (and cooperative-sticky crashes 2.0.2).
  return {{"partition.assignment.strategy", "range,roundrobin"},
          {"auto.offset.reset", "earliest"},
          // Short fetch waits keep batches flowing on busy partitions, and a message
          // arrives within ~10 ms of its append: with 50 ms the input alone was
          // 40-130 ms of the event -> alert latency (issue 13). The price: a
          // caught-up consumer asks each broker up to 100 times a second.
          {"fetch.wait.max.ms", "10"},
          // Prefetched messages, at most 64 MiB (librdkafka's default). With 16
          // MiB the queue ran dry between fetches while catching up: 95k msg/s
          // against 135k, for no measurable peak RSS saved (issue 13).
          {"queued.max.messages.kbytes", "65536"},
          // Readiness follows the brokers' connections, read from the statistics.
          {"statistics.interval.ms", "1000"}};
}

std::vector<std::string> check_properties(const config::KafkaConfig& c) {
  std::vector<std::string> errors;
  detail::ConfPtr conf(rd_kafka_conf_new());
  for (const auto& [k, v] : c.properties)
    if (auto r = detail::set(conf.get(), k, v); !r) errors.push_back(r.error().message);
  if (errors.empty()) {
    // Some combinations are refused only when a client is created (an
    // unsupported sasl.mechanisms, say): create one that connects nowhere and
    // says nothing, so they are configuration errors too, found before start.
    (void)detail::set(conf.get(), "bootstrap.servers", "");
    rd_kafka_conf_set_log_cb(conf.get(), [](const rd_kafka_t*, int, const char*, const char*) {});
    char err[512] = {};
    rd_kafka_conf_t* owned = conf.release();
    if (rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, owned, err, sizeof err)) {
      rd_kafka_destroy(rk);  // it took the configuration
    } else {
      rd_kafka_conf_destroy(owned);
      errors.push_back(fmt::format("kafka properties: {}", err));
    }
  }
  if (auto it = c.properties.find("partition.assignment.strategy");
      it != c.properties.end() && it->second.find("cooperative") != std::string::npos)
    errors.push_back(
        "kafka property partition.assignment.strategy: cooperative assignors are not "
        "supported (one state batch spans every partition); use range or roundrobin");
  for (const auto& k : {"enable.auto.commit", "enable.auto.offset.store"})
    if (c.properties.contains(k))
      errors.push_back(
          fmt::format("kafka property {}: Kilter commits offsets itself, in step "
                      "with its state; remove it",
                      k));
  return errors;
}

Result<Partition> pipeline_partition(std::uint32_t source_id, std::int32_t kafka_partition) {
  if (source_id == 0 || source_id > 0x7FFF)
    return Error{fmt::format("source id {} out of range", source_id)};
  if (kafka_partition < 0 || kafka_partition > 0xFFFF)
    return Error{fmt::format("kafka partition {} out of range (0..65535)", kafka_partition)};
  return Partition{
      static_cast<std::int32_t>((source_id << 16) | static_cast<std::uint32_t>(kafka_partition))};
}

}  // namespace kilter::kafka

// The changelog topic's check at start (changelog_log.h's open_changelog): it exists
// and has partitions; when missing, the admin API is asked to create it.
#include <fmt/format.h>

#include <algorithm>

#include "kafka/changelog_log.h"
#include "kafka/client.h"

namespace kilter::kafka {
namespace {

using detail::error_of;
using detail::error_text;

struct MetadataDeleter {
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};

struct Found {
  std::int32_t changelog = 0;  // partitions; 0: missing
  std::int32_t inputs = 0;     // the largest input topic's partition count; 0: none found
};

// One metadata request for every topic: it never creates one (a request naming a
// topic may, on a cluster with auto-creation).
Result<Found> look_up(rd_kafka_t* rk, const config::KafkaConfig& c,
                      std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return error_of(
        fmt::format("changelog {}: the cluster's metadata: {}", c.changelog_topic, error_text(err)),
        err);
  std::unique_ptr<const rd_kafka_metadata_t, MetadataDeleter> md(raw);
  Found f;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    std::string_view name(t.topic);
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    if (name == c.changelog_topic) {
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return error_of(fmt::format("changelog topic {} is not usable: {}", c.changelog_topic,
                                    error_text(t.err)),
                        t.err);
      if (t.partition_cnt <= 0)
        return Error{fmt::format("changelog topic {} has no partitions", c.changelog_topic)};
      f.changelog = t.partition_cnt;
    } else if (std::find(c.topics.begin(), c.topics.end(), name) != c.topics.end()) {
      f.inputs = std::max(f.inputs, static_cast<std::int32_t>(t.partition_cnt));
    }
  }
  return f;
}

std::string how_to_create(const config::KafkaConfig& c, std::int32_t partitions) {
  return fmt::format(
      "create it: on the dev broker `kilterd dev-broker --topic {}:{}`; on a cluster with "
      "{} partitions (as many as the input's), cleanup.policy=delete and the input's "
      "replication (docs/configuration.md, kafka.changelog_topic); or set "
      "kafka.changelog_topic: \"\" to run a single instance without one",
      c.changelog_topic, partitions, partitions);
}

// CreateTopics; waits at most `timeout` for the answer.
Result<void> create(rd_kafka_t* rk, const config::KafkaConfig& c, std::int32_t partitions,
                    std::chrono::milliseconds timeout) {
  char err[512];
  auto* topic = rd_kafka_NewTopic_new(c.changelog_topic.c_str(), partitions, -1, err, sizeof err);
  if (topic == nullptr) return Error{fmt::format("changelog {}: {}", c.changelog_topic, err)};
  // Records are chains linked by id, many per key: compaction would break them.
  (void)rd_kafka_NewTopic_set_config(topic, "cleanup.policy", "delete");
  auto* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  (void)rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), err,
                                                  sizeof err);
  (void)rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), err,
                                                    sizeof err);
  auto* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &topic, 1, options, queue);
  // The admin request's own timeout answers first; the margin only guards a lost event.
  auto* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 2000);
  Result<void> out = ok();
  if (event == nullptr) {
    out = Error{"no answer", Errc::unavailable};
  } else if (auto e = rd_kafka_event_error(event); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out = error_of(error_text(e), e);
  } else if (const auto* res = rd_kafka_event_CreateTopics_result(event)) {
    std::size_t n = 0;
    const auto** topics = rd_kafka_CreateTopics_result_topics(res, &n);
    for (std::size_t i = 0; i < n; ++i)
      if (auto e = rd_kafka_topic_result_error(topics[i]);
          e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        out = error_of(
            fmt::format("{}: {}", error_text(e), rd_kafka_topic_result_error_string(topics[i])), e);
  }
  if (event != nullptr) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy(topic);
  return out;
}

}  // namespace

Result<ChangelogTopic> open_changelog(const config::KafkaConfig& c,
                                      std::chrono::milliseconds timeout) {
  if (c.changelog_topic.empty()) return Error{"no changelog topic (kafka.changelog_topic is \"\")"};
  // A consumer handle; the request for every topic (look_up) creates none.
  auto conf = detail::make_conf(
      c.properties, {{"bootstrap.servers", c.brokers}, {"statistics.interval.ms", "0"}});
  if (!conf) return conf.error();
  char err[512];
  detail::HandlePtr rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err));
  if (!rk) return Error{fmt::format("changelog check: {}", err)};
  (void)conf->release();
  auto found = look_up(rk.get(), c, timeout);
  if (!found) return found.error();
  if (found->changelog > 0) return ChangelogTopic{found->changelog, false};
  if (found->inputs <= 0)
    return Error{
        fmt::format("changelog topic {} does not exist, nor does any input topic to "
                    "size it on; {}",
                    c.changelog_topic, how_to_create(c, 1))};
  if (auto r = create(rk.get(), c, found->inputs, timeout); !r)
    return Error{fmt::format("changelog topic {} does not exist and could not be created ({}); {}",
                             c.changelog_topic, r.error().message, how_to_create(c, found->inputs)),
                 r.error().code == Errc::unavailable ? Errc::failed : r.error().code};
  return ChangelogTopic{found->inputs, true};
}

}  // namespace kilter::kafka

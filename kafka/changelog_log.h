// The changelog's transport over Kafka (pipeline/changelog/log.h's ports): an
// idempotent producer of its own, a reader outside the consumer group, and the
// check of the topic at start. Nothing of librdkafka leaves this module.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "common/clock.h"
#include "common/result.h"
#include "config/config.h"
#include "pipeline/changelog/log.h"

namespace kilter::kafka {

struct ChangelogTopic {
  std::int32_t partitions = 0;  // > 0
  bool created = false;         // created now, with the admin API
};

// Checks that `c.changelog_topic` (not empty) exists and returns its partition
// count. When it is missing, asks the cluster to create it (CreateTopics, with the
// input topics' largest partition count and cleanup.policy=delete), waiting at most
// `timeout`; when that fails (librdkafka's mock cluster cannot create topics), an
// error naming the topic and how to create it. Brokers away: `unavailable`.
Result<ChangelogTopic> open_changelog(const config::KafkaConfig& c,
                                      std::chrono::milliseconds timeout);

// A writer of `c.changelog_topic` (its `partitions` from open_changelog): its own
// idempotent producer (acks=all), so that a flush waits for the changelog's records
// only, never behind alerts or dead letters, and with settings of its own. Deadlines
// are read from `clock`, which must be a real one (Kafka's I/O is real time).
Result<std::unique_ptr<changelog::ChangelogWriter>> make_changelog_writer(
    const config::KafkaConfig& c, std::int32_t partitions, const Clock& clock);

// A reader of `c.changelog_topic`: a consumer that assigns one partition at a time
// (no subscription, never a member of the group), with large fetches.
Result<std::unique_ptr<changelog::ChangelogReader>> make_changelog_reader(
    const config::KafkaConfig& c, const Clock& clock);

// The largest record value append() takes: a 256 KiB snapshot chunk and its header
// fit with room to spare.
inline constexpr std::size_t kChangelogMaxRecordBytes = 1'000'000 - 4096;

}  // namespace kilter::kafka

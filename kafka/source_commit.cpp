// The Kafka source's group commits: the positions of each state batch go to
// the group before the batch is written (kafka/README.md, "Seams"). The event
// loop never waits on a broker that is away.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/source_impl.h"

namespace kilter::kafka::detail {

// The positions go to the group before the state batch that holds them is
// written. The event loop never waits long for the answer: at most
// commit_wait while a broker is reachable (a commit takes milliseconds), not
// at all while none is. An answer that comes later is collected by a later
// call; until then the batch waits and grows (nothing is lost).
Result<void> KafkaSource::checkpoint(std::span<const pipeline::Position> positions) {
  if (letters_)
    if (auto r = letters_->durable(); !r) return r;
  // Codes (what the engine does next): the assignment lost, an unassigned
  // partition: failed; the answer still awaited: busy; a broker, the
  // coordinator or a rebalance in the way: unavailable.
  if (lost_) return Error{"the assignment was lost: its positions cannot be committed"};
  collect_commits(std::chrono::milliseconds(0));
  if (commit_.in_flight)
    return Error{"the previous group commit is not answered yet (is a broker reachable?)",
                 Errc::busy};
  if (commit_.answered_ok && same_positions(positions)) {
    // Committed by a request answered after its checkpoint had given up.
    commit_.answered_ok = false;
    ++commits_;
    return ok();
  }
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  for (const auto& pos : positions) {
    auto it = assigned_.find(pos.partition);
    if (it == assigned_.end())
      return Error{fmt::format("partition {} is not assigned", pos.partition.value())};
    auto* tp = rd_kafka_topic_partition_list_add(list.get(), it->second.topic.c_str(),
                                                 it->second.partition);
    tp->offset = pos.next.value();
    // librdkafka frees the metadata with the list. A changelog head, else our marker.
    const std::string& meta = pos.metadata.empty() ? metadata_ : pos.metadata;
    tp->metadata = ::malloc(meta.size());
    std::memcpy(tp->metadata, meta.data(), meta.size());
    tp->metadata_size = meta.size();
  }
  auto e = rd_kafka_commit_queue(rk_.get(), list.get(), commit_answers_, nullptr, nullptr);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return error_of(fmt::format("group commit refused: {}", error_text(e)), e);
  commit_.in_flight = true;
  commit_.answered_ok = false;
  commit_.positions.assign(positions.begin(), positions.end());
  // In a rebalance the broker has just spoken and the batch is given up
  // without an answer: wait longer then.
  const auto wait = revoking_     ? opts_.commit_timeout
                    : reachable() ? opts_.commit_wait
                                  : std::chrono::milliseconds(0);
  collect_commits(wait);
  if (commit_.in_flight) {
    if (revoking_)
      spdlog::error(
          "kafka: a group commit in a rebalance got no answer in {} ms; if it is accepted later, "
          "the next owner of these partitions skips what this batch held",
          wait.count());
    return Error{
        fmt::format("group commit not answered within {} ms; the batch waits", wait.count()),
        Errc::unavailable};
  }
  if (!commit_.answered_ok) return Error{commit_.error, commit_.code};
  commit_.answered_ok = false;
  ++commits_;
  return ok();
}

bool KafkaSource::same_positions(std::span<const pipeline::Position> ps) const {
  return std::equal(ps.begin(), ps.end(), commit_.positions.begin(), commit_.positions.end(),
                    [](const pipeline::Position& a, const pipeline::Position& b) {
                      // The metadata too: the same offsets may name another chain head.
                      return a.partition == b.partition && a.next == b.next &&
                             a.metadata == b.metadata;
                    });
}

// Takes the answer of the group commit in flight, waiting up to `wait`.
void KafkaSource::collect_commits(std::chrono::milliseconds wait) {
  while (commit_.in_flight) {
    auto* ev = rd_kafka_queue_poll(commit_answers_, static_cast<int>(wait.count()));
    if (ev == nullptr) return;
    wait = std::chrono::milliseconds(0);
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
      commit_.in_flight = false;
      commit_.error.clear();
      commit_.code = Errc::failed;
      if (auto e = rd_kafka_event_error(ev); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        commit_.error = fmt::format("group commit refused: {}", error_text(e));
        commit_.code = errc_of(e);
      } else if (const auto* list = rd_kafka_event_topic_partition_list(ev)) {
        for (int i = 0; i < list->cnt && commit_.error.empty(); ++i)
          if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            commit_.error = fmt::format("group commit of {} [{}] refused: {}", list->elems[i].topic,
                                        list->elems[i].partition, error_text(list->elems[i].err));
            commit_.code = errc_of(list->elems[i].err);
          }
      }
      commit_.answered_ok = commit_.error.empty();
    }
    rd_kafka_event_destroy(ev);
  }
}

}  // namespace kilter::kafka::detail

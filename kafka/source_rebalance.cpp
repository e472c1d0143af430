// The Kafka source's rebalance callbacks: where each assigned partition
// starts (the stored position, or the group's offset when another member
// consumed it since), and what a revocation commits or gives up.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/source_impl.h"

namespace kilter::kafka::detail {

void KafkaSource::on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->on_assign(parts);
  } else {
    self->on_revoke(err);
  }
}

void KafkaSource::on_assign(rd_kafka_topic_partition_list_t* parts) {
  // What the group remembers, and who wrote it.
  ListPtr committed(rd_kafka_topic_partition_list_copy(parts));
  auto e = rd_kafka_committed(rk_.get(), committed.get(),
                              static_cast<int>(opts_.commit_timeout.count()));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // Without the group's offsets a partition with no state could start anywhere.
    failure_ = Error{fmt::format("kafka: reading the group's offsets: {}", error_text(e))};
    rd_kafka_assign(rk_.get(), nullptr);
    return;
  }
  for (int i = 0; i < parts->cnt; ++i) {
    auto& tp = parts->elems[i];
    const auto& group = committed->elems[i];
    auto p = opts_.partition_of(tp.topic, tp.partition);
    if (!p) {
      failure_ = Error{p.error().message};
      rd_kafka_assign(rk_.get(), nullptr);
      return;
    }
    const bool group_has = group.err == RD_KAFKA_RESP_ERR_NO_ERROR && group.offset >= 0;
    pipeline::GroupOffset known{tp.topic, tp.partition, std::nullopt, {}};
    if (group_has) {
      known.committed = Offset{group.offset};
      if (group.metadata != nullptr)
        known.metadata = {static_cast<const char*>(group.metadata), group.metadata_size};
    }
    pipeline::Assignment assignment;
    if (listener_ != nullptr) assignment = listener_->partition_assigned(*p, known);
    const auto& stored = assignment.stored;
    const bool group_is_ours = group_has && group.metadata_size == metadata_.size() &&
                               std::memcmp(group.metadata, metadata_.data(), metadata_.size()) == 0;
    std::int64_t start = RD_KAFKA_OFFSET_INVALID;  // the group's offset, else auto.offset.reset
    if (assignment.warming && group_has) {
      // Its state is being restored as of the group's offset: continue there
      // once it is (warmed()); nothing is fetched meanwhile.
      start = group.offset;
      warming_.insert(*p);
    } else if (stored && (!group_has || group_is_ours || group.offset <= stored->value())) {
      start = stored->value();
    } else if (stored) {
      // Another member consumed the partition since our state stopped: what it
      // counted is in its state, so continue after it.
      spdlog::info(
          "{} [{}]: the group is {} message(s) ahead of this state (consumed by "
          "another member); continuing at offset {}",
          tp.topic, tp.partition, group.offset - stored->value(), group.offset);
      start = group.offset;
    } else if (group_has) {
      if (group_is_ours)
        spdlog::warn(
            "{} [{}]: the group's offset {} was committed by this state, which has no "
            "record of the partition (written by an older release?): continuing there",
            tp.topic, tp.partition, group.offset);
      start = group.offset;
    } else {
      start = reset_offset(tp.topic, tp.partition);
    }
    if (!stored && !assignment.warming && start >= 0 && listener_ != nullptr)
      listener_->partition_started(*p, Offset{start});
    tp.offset = start;
    assigned_[*p] = Assigned{tp.topic, tp.partition, start >= 0 ? start : -1};
  }
  if (auto ae = rd_kafka_assign(rk_.get(), parts); ae != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure_ = Error{fmt::format("kafka assign: {}", error_text(ae))};
    return;
  }
  if (holding_) {
    (void)rd_kafka_pause_partitions(rk_.get(), parts);
  } else if (!warming_.empty()) {
    (void)rd_kafka_pause_partitions(rk_.get(), assigned_list(true).get());
  }
  ++assignments_;
  has_assignment_ = true;
  assignment_lost_ = false;
  all_brokers_down_ = false;  // the coordinator just answered: older statistics are stale
  health_.reset();
  note_reachability();
  spdlog::info("kafka: assigned {} partition(s) (assignment {})", parts->cnt, assignments_);
}

// Where auto.offset.reset puts a partition the group has no offset for, as a
// concrete offset (so it can be stored); RD_KAFKA_OFFSET_INVALID when unknown,
// leaving the choice to librdkafka.
std::int64_t KafkaSource::reset_offset(const char* topic, std::int32_t partition) {
  auto it = cfg_.properties.find("auto.offset.reset");
  const std::string reset =
      it != cfg_.properties.end() ? it->second : consumer_defaults().at("auto.offset.reset");
  const bool earliest = reset == "earliest" || reset == "smallest" || reset == "beginning";
  const bool latest = reset == "latest" || reset == "largest" || reset == "end";
  if (!earliest && !latest) return RD_KAFKA_OFFSET_INVALID;
  std::int64_t low = 0, high = 0;
  auto e = rd_kafka_query_watermark_offsets(rk_.get(), topic, partition, &low, &high,
                                            static_cast<int>(opts_.commit_timeout.count()));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("{} [{}]: reading the partition's offsets: {}", topic, partition, error_text(e));
    return RD_KAFKA_OFFSET_INVALID;
  }
  return earliest ? low : high;
}

void KafkaSource::on_revoke(rd_kafka_resp_err_t err) {
  std::vector<Partition> ps = partitions();
  const bool lost = rd_kafka_assignment_lost(rk_.get()) != 0;
  if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
    spdlog::warn("kafka rebalance error: {}", error_text(err));
  if (lost) spdlog::warn("kafka: assignment lost (session timed out?): uncommitted work is redone");
  // The listener commits through checkpoint(), which needs the assignment
  // still known; a lost assignment refuses at once (its generation is gone).
  if (lost) lost_ = assignment_lost_ = true;
  revoking_ = true;
  if (listener_ != nullptr) listener_->partitions_revoked(ps);
  revoking_ = false;
  lost_ = false;
  has_assignment_ = false;
  assigned_.clear();
  warming_.clear();
  prefetch_.clear();
  last_entry_ = nullptr;
  rd_kafka_assign(rk_.get(), nullptr);
  spdlog::info("kafka: revoked {} partition(s)", ps.size());
}

}  // namespace kilter::kafka::detail

namespace kilter::kafka::detail {

// Every partition of the input topics with the group's offset and metadata:
// one metadata request and one offset fetch, each waiting at most commit_wait
// (standbys ask every few seconds; a slow answer is simply tried next time).
std::vector<pipeline::GroupPartition> KafkaSource::group_offsets() {
  std::vector<pipeline::GroupPartition> out;
  if (closed_ || failure_) return out;
  const auto wait = static_cast<int>(opts_.commit_wait.count());
  const rd_kafka_metadata_t* raw = nullptr;
  if (rd_kafka_metadata(rk_.get(), 1, nullptr, &raw, wait) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return out;
  ListPtr list(rd_kafka_topic_partition_list_new(64));
  for (int i = 0; i < raw->topic_cnt; ++i) {
    const auto& t = raw->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        std::find(cfg_.topics.begin(), cfg_.topics.end(), t.topic) == cfg_.topics.end())
      continue;
    for (int k = 0; k < t.partition_cnt; ++k)
      rd_kafka_topic_partition_list_add(list.get(), t.topic, t.partitions[k].id);
  }
  rd_kafka_metadata_destroy(raw);
  if (list->cnt == 0 ||
      rd_kafka_committed(rk_.get(), list.get(), wait) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& tp = list->elems[i];
    auto p = opts_.partition_of(tp.topic, tp.partition);
    if (!p || tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    pipeline::GroupPartition g{*p, tp.topic, tp.partition, std::nullopt, {}};
    if (tp.offset >= 0) {
      g.committed = Offset{tp.offset};
      if (tp.metadata != nullptr)
        g.metadata.assign(static_cast<const char*>(tp.metadata), tp.metadata_size);
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace kilter::kafka::detail

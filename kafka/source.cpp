// The Kafka source: consumption, readiness and librdkafka's error and
// statistics callbacks. Group commits: source_commit.cpp; rebalances:
// source_rebalance.cpp.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/source_impl.h"

namespace kilter::kafka {
namespace detail {

KafkaSource::~KafkaSource() {
  // Too late to commit: whoever owned the listener may be gone. Work not
  // committed is read again from the stored positions.
  listener_ = nullptr;
  close();
  if (commit_answers_ != nullptr) rd_kafka_queue_destroy(commit_answers_);
}

void KafkaSource::close() {
  release();
  close_consumer();
}

Result<void> KafkaSource::open() {
  auto ours = consumer_settings(cfg_);
  std::map<std::string, std::string> props = consumer_defaults();
  for (const auto& [k, v] : cfg_.properties) props[k] = v;
  auto conf = detail::make_conf(props, ours);
  if (!conf) return conf.error();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaSource::on_rebalance);
  rd_kafka_conf_set_error_cb(conf->get(), &KafkaSource::on_error);
  rd_kafka_conf_set_stats_cb(conf->get(), &KafkaSource::on_statistics);
  char err[512];
  rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err));
  if (!rk_) return Error{fmt::format("kafka consumer: {}", err)};
  (void)conf->release();
  // Errors and rebalances are then served by the batch consume below.
  rd_kafka_poll_set_consumer(rk_.get());
  queue_ = rd_kafka_queue_get_consumer(rk_.get());
  commit_answers_ = rd_kafka_queue_new(rk_.get());
  ListPtr topics(rd_kafka_topic_partition_list_new(static_cast<int>(cfg_.topics.size())));
  for (const auto& t : cfg_.topics)
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto e = rd_kafka_subscribe(rk_.get(), topics.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return error_of(fmt::format("kafka subscribe: {}", error_text(e)), e);
  return ok();
}

std::vector<Partition> KafkaSource::partitions() const {
  std::vector<Partition> out;
  for (const auto& [p, a] : assigned_) out.push_back(p);
  return out;
}

Result<pipeline::PollStatus> KafkaSource::poll(std::vector<pipeline::SourceMessage>& out,
                                               std::size_t max) {
  release();
  if (failure_) return *failure_;
  if (auto r = fill(0); !r) return r.error();
  // Nothing taken yet: wait a little for the next message (returned as soon as
  // it comes) rather than leave the loop to sleep a whole idle period while
  // fetches are in flight.
  if (prefetch_.waiting() == 0)
    if (auto r = fill(kWaitMs); !r) return r.error();
  if (failure_) return *failure_;  // set by a callback served meanwhile
  // Holding: librdkafka's events were served, nothing new is handed out.
  if (holding_) return pipeline::PollStatus::idle;
  const auto taken = prefetch_.take(std::max<std::size_t>(max, 1));
  auto it = assigned_.end();
  for (const auto& m : taken) {
    // Messages come in runs per partition: the last one's entry is usually right.
    if (it == assigned_.end() || it->first != m.partition) it = assigned_.find(m.partition);
    if (it == assigned_.end()) fatal_unassigned(m.partition);
    auto& a = it->second;
    a.next = m.offset + 1;
    pipeline::SourceMessage sm;
    sm.partition = m.partition;
    sm.offset = Offset{m.offset};
    sm.next = Offset{m.offset + 1};
    sm.key = m.key;
    sm.payload = m.payload;
    sm.capacity = m.capacity;
    sm.topic = a.topic;
    sm.source_partition = a.partition;
    if (m.appended_ms > 0) sm.appended = from_epoch_ms(m.appended_ms);
    out.push_back(sm);
  }
  return taken.empty() ? pipeline::PollStatus::idle : pipeline::PollStatus::data;
}

Result<void> KafkaSource::fill(int wait_ms) {
  // Full: librdkafka keeps what it fetched (and stops fetching) until the loop
  // has taken some. Holding: taken all the same, to serve the events that come
  // with the messages (rebalances); paused partitions bring few.
  if (prefetch_.full() && !holding_) return ok();
  // Everything librdkafka queued, up to the prefetch's bound: its queue must be
  // short when it next decides to fetch. At most 16k messages a poll took ~13 %
  // off the Kafka run (184-196k against 214-223k msg/s). The price: a poll after
  // a fetch answer copies up to the bound (24 MiB, tens of milliseconds).
  batch_.resize(kFillBatch);
  for (bool first = true;; first = false) {
    const bool wait = first && wait_ms > 0;
    ssize_t n = 0;
    if (wait) {
      batch_[0] = rd_kafka_consume_queue(queue_, wait_ms);
      n = batch_[0] != nullptr ? 1 : 0;
    } else {
      n = rd_kafka_consume_batch_queue(queue_, 0, batch_.data(), batch_.size());
    }
    if (n < 0) {
      const auto e = rd_kafka_last_error();
      return error_of(fmt::format("kafka consume: {}", error_text(e)), e);
    }
    for (ssize_t i = 0; i < n; ++i) {
      auto* m = batch_[static_cast<std::size_t>(i)];
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        consumer_error(m);
      } else if (auto* entry = lookup(m)) {  // else: revoked meanwhile
        rd_kafka_timestamp_type_t type;
        const auto ts = rd_kafka_message_timestamp(m, &type);
        prefetch_.push(entry->first, m->offset, ts > 0 ? ts : 0,
                       {static_cast<const char*>(m->key), m->key != nullptr ? m->key_len : 0},
                       {static_cast<const char*>(m->payload), m->payload != nullptr ? m->len : 0});
      }
      // The copy is all the loop reads: librdkafka's message, and the fetch
      // response it points into, go now.
      rd_kafka_message_destroy(m);
    }
    if (failure_) return ok();
    const bool drained = wait ? n == 0 : n < static_cast<ssize_t>(batch_.size());
    if (drained || (prefetch_.full() && !holding_)) return ok();
  }
}

void KafkaSource::fatal_unassigned(Partition p) {
  // Messages of a partition are dropped from the prefetch when it is revoked.
  spdlog::critical("kafka: a prefetched message of partition {} that is not assigned", p.value());
  std::abort();
}

std::string KafkaSource::describe() const {
  std::string topics;
  for (const auto& t : cfg_.topics) topics += (topics.empty() ? "" : ",") + t;
  return fmt::format("kafka {} topics {} group {}", cfg_.brokers, topics, cfg_.group_id);
}

void KafkaSource::dead_letter(const pipeline::SourceMessage& m, std::string_view reason) {
  if (letters_) letters_->send(m, reason);
}

std::vector<pipeline::PartitionLag> KafkaSource::lag() const {
  std::vector<pipeline::PartitionLag> out;
  for (const auto& [p, a] : assigned_) {
    pipeline::PartitionLag l{p, a.partition, a.topic, -1};
    std::int64_t lo = -1, hi = -1;
    if (rd_kafka_get_watermark_offsets(rk_.get(), a.topic.c_str(), a.partition, &lo, &hi) ==
            RD_KAFKA_RESP_ERR_NO_ERROR &&
        hi >= 0) {
      // Before the first message the position is where the assignment started.
      auto pos = a.next >= 0 ? a.next : lo;
      if (pos >= 0) l.lag = std::max<std::int64_t>(0, hi - pos);
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::string KafkaSource::unready_reason() const {
  if (!reachable())
    return fmt::format("kafka: no broker reachable ({} known, none connected)",
                       health_ ? health_->brokers : 0);
  if (health_ && !health_->group_state.empty() && health_->group_state != "up")
    return fmt::format("kafka: the group coordinator is not reachable (group state {})",
                       health_->group_state);
  if (!has_assignment_)
    return assignment_lost_
               ? "kafka: partitions lost (the group session timed out); waiting for a new "
                 "assignment"
               : "kafka: waiting for the group to assign partitions";
  return {};
}

pipeline::DeadLetterStats KafkaSource::dead_letter_stats() const {
  return letters_ ? letters_->stats() : pipeline::DeadLetterStats{};
}

// Paused partitions fetch nothing; what was already fetched is dropped by
// librdkafka and fetched again from the last message handed out on resume.
bool KafkaSource::hold(bool on) {
  if (on == holding_) return true;
  holding_ = on;
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_.get(), &list) == RD_KAFKA_RESP_ERR_NO_ERROR && list != nullptr) {
    ListPtr owned(list);
    if (on) {
      if (owned->cnt > 0) (void)rd_kafka_pause_partitions(rk_.get(), owned.get());
    } else {
      // Partitions still warming stay paused.
      auto resume = assigned_list(false);
      if (resume->cnt > 0) (void)rd_kafka_resume_partitions(rk_.get(), resume.get());
    }
  }
  return true;
}

ListPtr KafkaSource::assigned_list(bool warming) const {
  ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(assigned_.size())));
  for (const auto& [p, a] : assigned_)
    if (warming_.contains(p) == warming)
      rd_kafka_topic_partition_list_add(list.get(), a.topic.c_str(), a.partition);
  return list;
}

void KafkaSource::warmed(Partition p, Offset from) {
  if (warming_.erase(p) == 0) return;  // revoked meanwhile
  auto it = assigned_.find(p);
  if (it == assigned_.end()) return;
  it->second.next = from.value();
  ListPtr list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), it->second.topic.c_str(), it->second.partition)
      ->offset = from.value();
  // Where it was assigned is where the restore ended; the seek makes sure of it
  // (a fetch before the pause took effect is dropped by it).
  prefetch_.drop(p);  // fetched before the pause: the seek fetches them again
  if (auto* err = rd_kafka_seek_partitions(rk_.get(), list.get(),
                                           static_cast<int>(opts_.commit_timeout.count())))
    rd_kafka_error_destroy(err);
  if (!holding_) (void)rd_kafka_resume_partitions(rk_.get(), list.get());
  spdlog::info("{} [{}]: state restored; consuming from offset {}", it->second.topic,
               it->second.partition, from.value());
}

KafkaSource::Entry* KafkaSource::lookup(const rd_kafka_message_t* m) {
  // Messages come in runs per partition: the last answer is usually right.
  if (last_entry_ != nullptr && last_rkt_ == m->rkt && last_partition_ == m->partition)
    return last_entry_;
  const char* topic = rd_kafka_topic_name(m->rkt);
  for (auto& e : assigned_) {
    if (e.second.partition == m->partition && e.second.topic == topic) {
      last_rkt_ = m->rkt;
      last_partition_ = m->partition;
      last_entry_ = &e;
      return &e;
    }
  }
  return nullptr;
}

void KafkaSource::release() {
  prefetch_.release();
}

// Logged once per change: readiness follows it.
void KafkaSource::note_reachability() {
  const bool now = reachable();
  if (now == was_reachable_) return;
  was_reachable_ = now;
  if (now)
    spdlog::info("kafka: a broker is reachable again");
  else
    spdlog::warn("kafka: no broker reachable; not ready until one is (consumption waits)");
}

void KafkaSource::close_consumer() {
  if (!rk_ || closed_) return;
  closed_ = true;
  // Serves the final revocation: the listener commits what is pending.
  if (queue_ != nullptr) {
    rd_kafka_queue_destroy(queue_);
    queue_ = nullptr;
  }
  // Without a broker the final revocation cannot commit: it gives the batch
  // up at once (the stored positions are where the next start resumes).
  if (!reachable()) lost_ = true;
  if (auto e = rd_kafka_consumer_close(rk_.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR)
    spdlog::warn("kafka consumer close: {}", error_text(e));
}

void KafkaSource::consumer_error(const rd_kafka_message_t* m) {
  auto n = ++consume_errors_;
  if (n == 1 || n % 1000 == 0)
    spdlog::warn("kafka consume error ({} so far): {}{}", n, error_text(m->err),
                 m->rkt != nullptr
                     ? fmt::format(" on {} [{}]", rd_kafka_topic_name(m->rkt), m->partition)
                     : "");
}

void KafkaSource::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    auto orig = rd_kafka_fatal_error(rk, buf, sizeof buf);
    self->failure_ = Error{fmt::format("kafka fatal error: {}: {}", error_text(orig), buf)};
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    self->all_brokers_down_ = true;
    self->note_reachability();
  }
  // Transport errors come and go (brokers restart); librdkafka retries them.
  auto n = ++self->client_errors_;
  if (n == 1 || n % 100 == 0)
    spdlog::warn("kafka ({} errors so far): {}: {}", n, error_text(code), reason);
}

int KafkaSource::on_statistics(rd_kafka_t*, char* json, size_t len, void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  if (auto h = detail::parse_statistics({json, len})) {
    self->health_ = std::move(*h);
    self->all_brokers_down_ = false;  // the statistics are newer
    self->note_reachability();
  }
  return 0;  // librdkafka frees the text
}

}  // namespace detail

Result<std::unique_ptr<pipeline::Source>> open_source(const config::KafkaConfig& c,
                                                      SourceOptions opts) {
  if (auto errors = check_properties(c); !errors.empty()) return Error{errors.front()};
  auto s = std::make_unique<detail::KafkaSource>(c, std::move(opts));
  if (auto r = s->open(); !r) return r.error();
  return std::unique_ptr<pipeline::Source>(std::move(s));
}

}  // namespace kilter::kafka

#include "kafka/source.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/client.h"
#include "kafka/dead_letters.h"
#include "kafka/statistics.h"

namespace kilter::kafka {
namespace {

using detail::error_text;
using detail::ListPtr;

constexpr std::string_view kMetadataPrefix = "kilter:";

struct Assigned {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t next = -1;  // the next offset to read, as far as we know; -1 unknown
};

class KafkaSource final : public pipeline::Source {
  static constexpr int kWaitMs = 5;  // longest wait for a message inside one poll

 public:
  KafkaSource(config::KafkaConfig cfg, SourceOptions opts)
      : cfg_(std::move(cfg)), opts_(std::move(opts)), metadata_(kMetadataPrefix) {
    metadata_ += opts_.instance_id;
    if (opts_.dead_letters != nullptr && !cfg_.dead_letter_topic.empty())
      letters_.emplace(*opts_.dead_letters, cfg_.dead_letter_topic);
  }

  ~KafkaSource() override {
    // Too late to commit: whoever owned the listener may be gone. Work not
    // committed is read again from the stored positions.
    listener_ = nullptr;
    close();
    if (commit_answers_ != nullptr) rd_kafka_queue_destroy(commit_answers_);
  }

  void close() override {
    release();
    close_consumer();
  }

  Result<void> open() {
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
      return Error{fmt::format("kafka subscribe: {}", error_text(e))};
    return ok();
  }

  std::vector<Partition> partitions() const override {
    std::vector<Partition> out;
    for (const auto& [p, a] : assigned_) out.push_back(p);
    return out;
  }

  // Positions are chosen at assignment time (see on_assign).
  Result<void> seek(Partition, Offset) override { return ok(); }

  void set_listener(pipeline::PartitionListener* l) override { listener_ = l; }

  Result<pipeline::PollStatus> poll(std::vector<pipeline::SourceMessage>& out,
                                    std::size_t max) override {
    release();
    if (failure_) return *failure_;
    batch_.resize(std::max<std::size_t>(max, 1));
    auto n = rd_kafka_consume_batch_queue(queue_, 0, batch_.data(), batch_.size());
    if (n == 0) {
      // Nothing queued right now: wait a little for the next message (returned
      // as soon as it comes) rather than leave the loop to sleep a whole idle
      // period while fetches are in flight.
      if (auto* first = rd_kafka_consume_queue(queue_, kWaitMs)) {
        batch_[0] = first;
        n = 1;
        if (batch_.size() > 1) {
          auto more = rd_kafka_consume_batch_queue(queue_, 0, batch_.data() + 1, batch_.size() - 1);
          if (more > 0) n += more;
        }
      }
    }
    if (failure_) return *failure_;  // set by a callback served in that call
    if (n < 0) return Error{fmt::format("kafka consume: {}", error_text(rd_kafka_last_error()))};
    held_ = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < held_; ++i) {
      const auto* m = batch_[i];
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        consumer_error(m);
        continue;
      }
      auto* entry = lookup(m);
      if (entry == nullptr) continue;  // a partition we no longer own (revoked meanwhile)
      auto& [p, a] = *entry;
      a.next = m->offset + 1;
      pipeline::SourceMessage sm;
      sm.partition = p;
      sm.offset = Offset{m->offset};
      sm.next = Offset{m->offset + 1};
      sm.key = {static_cast<const char*>(m->key), m->key_len};
      sm.payload = {static_cast<const char*>(m->payload), m->len};
      sm.capacity = m->len;
      sm.topic = a.topic;
      sm.source_partition = a.partition;
      rd_kafka_timestamp_type_t type;
      if (auto ts = rd_kafka_message_timestamp(m, &type); ts > 0) sm.appended = from_epoch_ms(ts);
      out.push_back(sm);
    }
    return held_ > 0 ? pipeline::PollStatus::data : pipeline::PollStatus::idle;
  }

  std::string describe() const override {
    std::string topics;
    for (const auto& t : cfg_.topics) topics += (topics.empty() ? "" : ",") + t;
    return fmt::format("kafka {} topics {} group {}", cfg_.brokers, topics, cfg_.group_id);
  }

  void dead_letter(const pipeline::SourceMessage& m, std::string_view reason) override {
    if (letters_) letters_->send(m, reason);
  }

  // The positions go to the group before the state batch that holds them is
  // written. The event loop never waits long for the answer: at most
  // commit_wait while a broker is reachable (a commit takes milliseconds), not
  // at all while none is. An answer that comes later is collected by a later
  // call; until then the batch waits and grows (nothing is lost).
  Result<void> checkpoint(std::span<const pipeline::Position> positions) override {
    if (letters_)
      if (auto r = letters_->durable(); !r) return r;
    if (lost_) return Error{"the assignment was lost: its positions cannot be committed"};
    collect_commits(std::chrono::milliseconds(0));
    if (commit_.in_flight)
      return Error{"the previous group commit is not answered yet (is a broker reachable?)"};
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
      // librdkafka copies the metadata and frees its copy with the list.
      tp->metadata = ::malloc(metadata_.size());
      std::memcpy(tp->metadata, metadata_.data(), metadata_.size());
      tp->metadata_size = metadata_.size();
    }
    auto e = rd_kafka_commit_queue(rk_.get(), list.get(), commit_answers_, nullptr, nullptr);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Error{fmt::format("group commit refused: {}", error_text(e))};
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
          fmt::format("group commit not answered within {} ms; the batch waits", wait.count())};
    }
    if (!commit_.answered_ok) return Error{commit_.error};
    commit_.answered_ok = false;
    ++commits_;
    return ok();
  }

  std::vector<pipeline::PartitionLag> lag() const override {
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

  bool ready() const override { return unready_reason().empty(); }

  std::string unready_reason() const override {
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

  bool connected() const override { return reachable(); }

  pipeline::DeadLetterStats dead_letter_stats() const override {
    return letters_ ? letters_->stats() : pipeline::DeadLetterStats{};
  }

  bool live() const override { return true; }

  // Paused partitions fetch nothing; what was already fetched is dropped by
  // librdkafka and fetched again from the last message handed out on resume.
  bool hold(bool on) override {
    if (on == holding_) return true;
    holding_ = on;
    rd_kafka_topic_partition_list_t* list = nullptr;
    if (rd_kafka_assignment(rk_.get(), &list) == RD_KAFKA_RESP_ERR_NO_ERROR && list != nullptr) {
      ListPtr owned(list);
      if (owned->cnt > 0)
        (void)(on ? rd_kafka_pause_partitions(rk_.get(), owned.get())
                  : rd_kafka_resume_partitions(rk_.get(), owned.get()));
    }
    return true;
  }

 private:
  using Entry = std::pair<const Partition, Assigned>;

  Entry* lookup(const rd_kafka_message_t* m) {
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

  void release() {
    for (std::size_t i = 0; i < held_; ++i) rd_kafka_message_destroy(batch_[i]);
    held_ = 0;
  }

  // What librdkafka's statistics last said; nothing known counts as reachable.
  bool reachable() const { return !all_brokers_down_ && (!health_ || health_->brokers_up > 0); }

  bool same_positions(std::span<const pipeline::Position> ps) const {
    return std::equal(ps.begin(), ps.end(), commit_.positions.begin(), commit_.positions.end(),
                      [](const pipeline::Position& a, const pipeline::Position& b) {
                        return a.partition == b.partition && a.next == b.next;
                      });
  }

  // Takes the answer of the group commit in flight, waiting up to `wait`.
  void collect_commits(std::chrono::milliseconds wait) {
    while (commit_.in_flight) {
      auto* ev = rd_kafka_queue_poll(commit_answers_, static_cast<int>(wait.count()));
      if (ev == nullptr) return;
      wait = std::chrono::milliseconds(0);
      if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
        commit_.in_flight = false;
        commit_.error.clear();
        if (auto e = rd_kafka_event_error(ev); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
          commit_.error = fmt::format("group commit refused: {}", error_text(e));
        } else if (const auto* list = rd_kafka_event_topic_partition_list(ev)) {
          for (int i = 0; i < list->cnt && commit_.error.empty(); ++i)
            if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR)
              commit_.error =
                  fmt::format("group commit of {} [{}] refused: {}", list->elems[i].topic,
                              list->elems[i].partition, error_text(list->elems[i].err));
        }
        commit_.answered_ok = commit_.error.empty();
      }
      rd_kafka_event_destroy(ev);
    }
  }

  // Logged once per change: readiness follows it.
  void note_reachability() {
    const bool now = reachable();
    if (now == was_reachable_) return;
    was_reachable_ = now;
    if (now)
      spdlog::info("kafka: a broker is reachable again");
    else
      spdlog::warn("kafka: no broker reachable; not ready until one is (consumption waits)");
  }

  void close_consumer() {
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

  void consumer_error(const rd_kafka_message_t* m) {
    auto n = ++consume_errors_;
    if (n == 1 || n % 1000 == 0)
      spdlog::warn("kafka consume error ({} so far): {}{}", n, error_text(m->err),
                   m->rkt != nullptr
                       ? fmt::format(" on {} [{}]", rd_kafka_topic_name(m->rkt), m->partition)
                       : "");
  }

  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
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

  static int on_statistics(rd_kafka_t*, char* json, size_t len, void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    if (auto h = detail::parse_statistics({json, len})) {
      self->health_ = std::move(*h);
      self->all_brokers_down_ = false;  // the statistics are newer
      self->note_reachability();
    }
    return 0;  // librdkafka frees the text
  }

  static void on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<KafkaSource*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->on_assign(parts);
    } else {
      self->on_revoke(err);
    }
  }

  void on_assign(rd_kafka_topic_partition_list_t* parts) {
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
      std::optional<Offset> stored;
      if (listener_ != nullptr) stored = listener_->partition_assigned(*p);
      const bool group_has = group.err == RD_KAFKA_RESP_ERR_NO_ERROR && group.offset >= 0;
      const bool group_is_ours =
          group_has && group.metadata_size == metadata_.size() &&
          std::memcmp(group.metadata, metadata_.data(), metadata_.size()) == 0;
      std::int64_t start = RD_KAFKA_OFFSET_INVALID;  // the group's offset, else auto.offset.reset
      if (stored && (!group_has || group_is_ours || group.offset <= stored->value())) {
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
      if (!stored && start >= 0 && listener_ != nullptr)
        listener_->partition_started(*p, Offset{start});
      tp.offset = start;
      assigned_[*p] = Assigned{tp.topic, tp.partition, start >= 0 ? start : -1};
    }
    if (auto ae = rd_kafka_assign(rk_.get(), parts); ae != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure_ = Error{fmt::format("kafka assign: {}", error_text(ae))};
      return;
    }
    if (holding_) (void)rd_kafka_pause_partitions(rk_.get(), parts);
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
  std::int64_t reset_offset(const char* topic, std::int32_t partition) {
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

  void on_revoke(rd_kafka_resp_err_t err) {
    std::vector<Partition> ps = partitions();
    const bool lost = rd_kafka_assignment_lost(rk_.get()) != 0;
    if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
      spdlog::warn("kafka rebalance error: {}", error_text(err));
    if (lost)
      spdlog::warn("kafka: assignment lost (session timed out?): uncommitted work is redone");
    // The listener commits through checkpoint(), which needs the assignment
    // still known; a lost assignment refuses at once (its generation is gone).
    if (lost) lost_ = assignment_lost_ = true;
    revoking_ = true;
    if (listener_ != nullptr) listener_->partitions_revoked(ps);
    revoking_ = false;
    lost_ = false;
    has_assignment_ = false;
    assigned_.clear();
    last_entry_ = nullptr;
    rd_kafka_assign(rk_.get(), nullptr);
    spdlog::info("kafka: revoked {} partition(s)", ps.size());
  }

  config::KafkaConfig cfg_;
  SourceOptions opts_;
  std::string metadata_;
  detail::HandlePtr rk_;
  rd_kafka_queue_t* queue_ = nullptr;
  rd_kafka_queue_t* commit_answers_ = nullptr;  // answers of group commits
  // The group commit sent last: its positions and its answer.
  struct {
    std::vector<pipeline::Position> positions;
    bool in_flight = false, answered_ok = false;
    std::string error;
  } commit_;
  std::optional<detail::DeadLetters> letters_;
  std::optional<detail::ClientHealth> health_;  // from the last statistics
  bool all_brokers_down_ = false;               // said by librdkafka since those statistics
  bool was_reachable_ = true;
  bool has_assignment_ = false, assignment_lost_ = false;
  bool lost_ = false, revoking_ = false;  // during a revocation: lost, or any
  bool holding_ = false;                  // partitions paused (hold)
  pipeline::PartitionListener* listener_ = nullptr;
  std::map<Partition, Assigned> assigned_;
  // lookup()'s last answer; reset whenever assigned_ changes.
  const rd_kafka_topic_t* last_rkt_ = nullptr;
  std::int32_t last_partition_ = -1;
  Entry* last_entry_ = nullptr;
  std::vector<rd_kafka_message_t*> batch_;
  std::size_t held_ = 0;
  std::optional<Error> failure_;
  std::uint64_t assignments_ = 0, commits_ = 0, consume_errors_ = 0, client_errors_ = 0;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<pipeline::Source>> open_source(const config::KafkaConfig& c,
                                                      SourceOptions opts) {
  if (auto errors = check_properties(c); !errors.empty()) return Error{errors.front()};
  auto s = std::make_unique<KafkaSource>(c, std::move(opts));
  if (auto r = s->open(); !r) return r.error();
  return std::unique_ptr<pipeline::Source>(std::move(s));
}

}  // namespace kilter::kafka

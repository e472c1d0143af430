// The Kafka source's class, shared by its files: consumption, readiness and
// the client's callbacks (source.cpp), the group commits that go before each
// state batch (source_commit.cpp), and the rebalance callbacks that choose
// where each assigned partition starts (source_rebalance.cpp). Internal to
// kafka/.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/client.h"
#include "kafka/dead_letters.h"
#include "kafka/prefetch.h"
#include "kafka/source.h"
#include "kafka/statistics.h"

namespace kilter::kafka::detail {

// Commit metadata: this prefix, then the state store's instance id.
inline constexpr std::string_view kMetadataPrefix = "kilter:";

struct Assigned {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t next = -1;  // the next offset to read, as far as we know; -1 unknown
};

class KafkaSource final : public pipeline::Source {
  static constexpr int kWaitMs = 5;                // longest wait for a message inside one poll
  static constexpr std::size_t kFillBatch = 1024;  // messages per librdkafka call

 public:
  KafkaSource(config::KafkaConfig cfg, SourceOptions opts)
      : cfg_(std::move(cfg)), opts_(std::move(opts)), metadata_(kMetadataPrefix) {
    metadata_ += opts_.instance_id;
    if (opts_.dead_letters != nullptr && !cfg_.dead_letter_topic.empty())
      letters_.emplace(*opts_.dead_letters, cfg_.dead_letter_topic);
  }
  ~KafkaSource() override;
  void close() override;
  Result<void> open();
  std::vector<Partition> partitions() const override;
  Result<pipeline::PollStatus> poll(std::vector<pipeline::SourceMessage>& out,
                                    std::size_t max) override;
  std::string describe() const override;
  void dead_letter(const pipeline::SourceMessage& m, std::string_view reason) override;
  std::vector<pipeline::PartitionLag> lag() const override;
  std::string unready_reason() const override;
  pipeline::DeadLetterStats dead_letter_stats() const override;
  // Paused partitions fetch nothing; what was already fetched is dropped by
  // librdkafka and fetched again from the last message handed out on resume.
  bool hold(bool on) override;
  // Resumes a partition assigned as warming, from `from` (source.cpp).
  void warmed(Partition p, Offset from) override;
  // For standbys (source_rebalance.cpp).
  std::vector<pipeline::GroupPartition> group_offsets() override;

  // Positions are chosen at assignment time (see on_assign).
  Result<void> seek(Partition, Offset) override { return ok(); }

  void set_listener(pipeline::PartitionListener* l) override { listener_ = l; }
  bool ready() const override { return unready_reason().empty(); }
  bool connected() const override { return reachable(); }
  bool live() const override { return true; }

  // Group commits (source_commit.cpp).
  // The positions go to the group before the state batch that holds them is
  // written. The event loop never waits long for the answer: at most
  // commit_wait while a broker is reachable (a commit takes milliseconds), not
  // at all while none is. An answer that comes later is collected by a later
  // call; until then the batch waits and grows (nothing is lost).
  Result<void> checkpoint(std::span<const pipeline::Position> positions) override;

 private:
  using Entry = std::pair<const Partition, Assigned>;

  // What librdkafka's statistics last said; nothing known counts as reachable.
  bool reachable() const { return !all_brokers_down_ && (!health_ || health_->brokers_up > 0); }
  Entry* lookup(const rd_kafka_message_t* m);
  // The assigned partitions that are warming (true) or not (false), as a list.
  ListPtr assigned_list(bool warming) const;
  void release();
  // Moves what librdkafka fetched into prefetch_, waiting up to wait_ms for the
  // first message.
  Result<void> fill(int wait_ms);
  [[noreturn]] static void fatal_unassigned(Partition p);
  // Logged once per change: readiness follows it.
  void note_reachability();
  void close_consumer();
  void consumer_error(const rd_kafka_message_t* m);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int on_statistics(rd_kafka_t*, char* json, size_t len, void* opaque);

  // Group commits (source_commit.cpp).
  bool same_positions(std::span<const pipeline::Position> ps) const;
  // Takes the answer of the group commit in flight, waiting up to `wait`.
  void collect_commits(std::chrono::milliseconds wait);

  // Rebalances (source_rebalance.cpp).
  static void on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque);
  void on_assign(rd_kafka_topic_partition_list_t* parts);
  // Where auto.offset.reset puts a partition the group has no offset for, as a
  // concrete offset (so it can be stored); RD_KAFKA_OFFSET_INVALID when unknown,
  // leaving the choice to librdkafka.
  std::int64_t reset_offset(const char* topic, std::int32_t partition);
  void on_revoke(rd_kafka_resp_err_t err);

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
    Errc code = Errc::failed;
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
  // Assigned, paused until their state is restored (warmed()).
  std::set<Partition> warming_;
  // lookup()'s last answer; reset whenever assigned_ changes.
  const rd_kafka_topic_t* last_rkt_ = nullptr;
  std::int32_t last_partition_ = -1;
  Entry* last_entry_ = nullptr;
  std::vector<rd_kafka_message_t*> batch_;
  Prefetch prefetch_{opts_.prefetch_bytes};
  // Set by a callback: the source stopped, and every later poll fails with it
  // (code failed: a restart, not a retry, is what helps).
  std::optional<Error> failure_;
  std::uint64_t assignments_ = 0, commits_ = 0, consume_errors_ = 0, client_errors_ = 0;
  bool closed_ = false;
};

}  // namespace kilter::kafka::detail

// The changelog's writer and reader over librdkafka (changelog_log.h).
#include "kafka/changelog_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "kafka/client.h"

namespace kilter::kafka {
namespace {

using changelog::LogBounds;
using changelog::LogRecord;
using changelog::Millis;
using detail::error_of;
using detail::error_text;

static_assert(sizeof(void*) == 8, "a delivery's opaque holds a batch number and an index");

// How long one wait for librdkafka's events lasts at most, so that deadlines are
// checked often enough.
constexpr int kSliceMs = 50;

int slice(std::chrono::steady_clock::time_point deadline, const Clock& clock) {
  auto left = std::chrono::duration_cast<Millis>(deadline - clock.steady_now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, kSliceMs));
}

class RdChangelogWriter final : public changelog::ChangelogWriter {
 public:
  RdChangelogWriter(std::string topic, std::int32_t partitions, const Clock& clock)
      : topic_(std::move(topic)), partitions_(partitions), clock_(clock) {}

  Result<void> open(const config::KafkaConfig& c) {
    auto conf = detail::make_conf(c.properties,
                                  {{"bootstrap.servers", c.brokers},
                                   {"enable.idempotence", "true"},
                                   {"acks", "all"},
                                   {"linger.ms", "2"},
                                   {"message.max.bytes", "1000000"},
                                   // A full queue refuses append() (unavailable) rather than grow.
                                   {"queue.buffering.max.kbytes", "65536"},
                                   {"compression.type", "lz4"}});
    if (!conf) return conf.error();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &RdChangelogWriter::on_delivery);
    char err[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err));
    if (!rk_) return Error{fmt::format("changelog producer: {}", err)};
    (void)conf->release();  // rd_kafka_new took it
    rkt_ = rd_kafka_topic_new(rk_.get(), topic_.c_str(), nullptr);
    if (rkt_ == nullptr) return Error{fmt::format("changelog topic {}: no handle", topic_)};
    return ok();
  }

  ~RdChangelogWriter() override {
    // Records not flushed are named by no commit: dropping them loses nothing.
    if (rk_) rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
  }

  std::int32_t partitions() const override { return partitions_; }

  Result<void> append(std::int32_t partition, std::string_view key,
                      std::string_view value) override {
    if (partition < 0 || partition >= partitions_)
      return Error{
          fmt::format("changelog {}: no partition {} (it has {})", topic_, partition, partitions_)};
    if (value.size() > kChangelogMaxRecordBytes)
      return Error{fmt::format("changelog {}: a record of {} bytes (at most {})", topic_,
                               value.size(), kChangelogMaxRecordBytes)};
    auto index = offsets_.size();
    auto* opaque = reinterpret_cast<void*>((batch_ << 32) | index);
    if (rd_kafka_produce(rkt_, partition, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                         value.size(), key.data(), key.size(), opaque) != 0) {
      auto err = rd_kafka_last_error();
      // A full queue: the brokers have not taken anything for a while; waiting here
      // would stall the engine, so the caller keeps its batch and tries again.
      return error_of(fmt::format("changelog {} [{}]: {}", topic_, partition, error_text(err)),
                      err);
    }
    offsets_.push_back(-1);
    rd_kafka_poll(rk_.get(), 0);
    return ok();
  }

  bool settled() override {
    rd_kafka_poll(rk_.get(), 0);
    char fatal[8];
    return acked_ >= offsets_.size() || failed_ != RD_KAFKA_RESP_ERR_NO_ERROR ||
           rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR;
  }

  Result<std::span<const std::int64_t>> flush(Millis timeout) override {
    auto deadline = clock_.steady_now() + timeout;
    while (acked_ < offsets_.size() && failed_ == RD_KAFKA_RESP_ERR_NO_ERROR) {
      int wait = slice(deadline, clock_);
      if (wait == 0) break;
      rd_kafka_poll(rk_.get(), wait);
    }
    // The next flush covers only what is appended from now on; reports of this
    // batch's records that come later are ignored (they are orphans).
    auto appended = offsets_.size();
    auto acked = acked_;
    auto failed = failed_;
    done_.swap(offsets_);
    offsets_.clear();
    acked_ = 0;
    failed_ = RD_KAFKA_RESP_ERR_NO_ERROR;
    ++batch_;
    char fatal[256];
    if (auto f = rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal);
        f != RD_KAFKA_RESP_ERR_NO_ERROR)
      return Error{fmt::format("changelog {}: the producer failed for good: {}", topic_, fatal)};
    if (failed != RD_KAFKA_RESP_ERR_NO_ERROR)
      return error_of(
          fmt::format("changelog {}: a record was not stored: {}", topic_, error_text(failed)),
          failed);
    if (acked < appended)
      return Error{fmt::format("changelog {}: {} of {} record(s) not acknowledged within {} ms",
                               topic_, appended - acked, appended, timeout.count()),
                   Errc::unavailable};
    return std::span<const std::int64_t>(done_);
  }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<RdChangelogWriter*>(opaque);
    auto tag = reinterpret_cast<std::uint64_t>(m->_private);
    if ((tag >> 32) != self->batch_) return;  // a batch already given up on
    auto index = tag & 0xFFFF'FFFFu;
    if (index >= self->offsets_.size()) std::abort();  // a report of no record appended
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (self->failed_ == RD_KAFKA_RESP_ERR_NO_ERROR) self->failed_ = m->err;
      return;
    }
    self->offsets_[index] = m->offset;
    ++self->acked_;
  }

  std::string topic_;
  std::int32_t partitions_;
  const Clock& clock_;
  detail::HandlePtr rk_;
  rd_kafka_topic_t* rkt_ = nullptr;
  // Delivery reports are served by rd_kafka_poll on the caller's thread: no locks.
  std::uint64_t batch_ = 0;
  std::vector<std::int64_t> offsets_, done_;
  std::size_t acked_ = 0;
  rd_kafka_resp_err_t failed_ = RD_KAFKA_RESP_ERR_NO_ERROR;
};

class RdChangelogReader final : public changelog::ChangelogReader {
 public:
  RdChangelogReader(std::string topic, const Clock& clock)
      : topic_(std::move(topic)), clock_(clock) {}

  Result<void> open(const config::KafkaConfig& c) {
    auto conf = detail::make_conf(
        c.properties, {{"bootstrap.servers", c.brokers},
                       // Never subscribes, never commits: the id only satisfies assign().
                       {"group.id", c.group_id + ".changelog-reader"},
                       {"enable.auto.commit", "false"},
                       {"enable.auto.offset.store", "false"},
                       {"auto.offset.reset", "error"},
                       {"enable.partition.eof", "true"},
                       // The restore's input: large fetches, answered at once.
                       {"fetch.wait.max.ms", "10"},
                       {"fetch.message.max.bytes", "8388608"},
                       {"fetch.max.bytes", "52428800"},
                       {"queued.min.messages", "200000"},
                       {"queued.max.messages.kbytes", "65536"},
                       {"statistics.interval.ms", "0"}});
    if (!conf) return conf.error();
    char err[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err));
    if (!rk_) return Error{fmt::format("changelog reader: {}", err)};
    (void)conf->release();
    rd_kafka_poll_set_consumer(rk_.get());
    return ok();
  }

  ~RdChangelogReader() override {
    if (rk_) {
      (void)rd_kafka_assign(rk_.get(), nullptr);
      (void)rd_kafka_consumer_close(rk_.get());
    }
  }

  Result<LogBounds> bounds(std::int32_t partition, Millis timeout) override {
    std::int64_t low = 0, high = 0;
    auto err = rd_kafka_query_watermark_offsets(rk_.get(), topic_.c_str(), partition, &low, &high,
                                                static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return error_of(
          fmt::format("changelog {} [{}]: offsets unknown: {}", topic_, partition, error_text(err)),
          err);
    return LogBounds{low, high};
  }

  Result<void> read(std::int32_t partition, std::int64_t from, std::int64_t to,
                    const std::function<bool(const LogRecord&)>& fn, Millis timeout) override {
    if (from >= to) return ok();
    auto b = bounds(partition, timeout);
    if (!b) return b.error();
    if (from < b->low)
      return Error{
          fmt::format("changelog {} [{}]: offset {} is no longer kept (the oldest is {}): "
                      "retention removed it",
                      topic_, partition, from, b->low)};
    if (to > b->high)
      return Error{fmt::format("changelog {} [{}]: offsets up to {} asked, only {} written", topic_,
                               partition, to, b->high)};
    detail::ListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), partition)->offset = from;
    if (auto err = rd_kafka_assign(rk_.get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return error_of(fmt::format("changelog {} [{}]: {}", topic_, partition, error_text(err)),
                      err);
    auto r = consume(partition, from, to, fn, timeout);
    (void)rd_kafka_assign(rk_.get(), nullptr);  // drops what was fetched beyond `to`
    return r;
  }

 private:
  Result<void> consume(std::int32_t partition, std::int64_t from, std::int64_t to,
                       const std::function<bool(const LogRecord&)>& fn, Millis timeout) {
    std::int64_t next = from;  // the first offset not yet seen
    auto deadline = clock_.steady_now() + timeout;
    while (next < to) {
      int wait = slice(deadline, clock_);
      if (wait == 0)
        return Error{
            fmt::format("changelog {} [{}]: no record for {} ms at offset {} (of [{}, {}))", topic_,
                        partition, timeout.count(), next, from, to),
            Errc::unavailable};
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), wait);
      if (m == nullptr) continue;
      std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> held(
          m, rd_kafka_message_destroy);
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // The end of what is written: offsets up to it that never came are gaps.
        if (m->partition == partition && m->offset >= to) return ok();
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET ||
          m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        return Error{
            fmt::format("changelog {} [{}]: offset {} is no longer kept: retention "
                        "removed it while it was read",
                        topic_, partition, next)};
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        auto code = detail::errc_of(m->err);
        if (code == Errc::unavailable) continue;  // the timeout decides
        return error_of(
            fmt::format("changelog {} [{}]: {}", topic_, partition, rd_kafka_message_errstr(m)),
            m->err);
      }
      if (m->partition != partition || m->offset < next) continue;
      if (m->offset >= to) return ok();
      next = m->offset + 1;
      deadline = clock_.steady_now() + timeout;  // progress
      LogRecord rec{m->offset,
                    {static_cast<const char*>(m->key), m->key != nullptr ? m->key_len : 0},
                    {static_cast<const char*>(m->payload), m->payload != nullptr ? m->len : 0}};
      if (!fn(rec)) return ok();
    }
    return ok();
  }

  std::string topic_;
  const Clock& clock_;
  detail::HandlePtr rk_;
};

}  // namespace

Result<std::unique_ptr<changelog::ChangelogWriter>> make_changelog_writer(
    const config::KafkaConfig& c, std::int32_t partitions, const Clock& clock) {
  if (c.changelog_topic.empty() || partitions <= 0)
    return Error{"changelog writer: no changelog topic (kafka.changelog_topic)"};
  auto w = std::make_unique<RdChangelogWriter>(c.changelog_topic, partitions, clock);
  if (auto r = w->open(c); !r) return r.error();
  return std::unique_ptr<changelog::ChangelogWriter>(std::move(w));
}

Result<std::unique_ptr<changelog::ChangelogReader>> make_changelog_reader(
    const config::KafkaConfig& c, const Clock& clock) {
  if (c.changelog_topic.empty())
    return Error{"changelog reader: no changelog topic (kafka.changelog_topic)"};
  auto rd = std::make_unique<RdChangelogReader>(c.changelog_topic, clock);
  if (auto r = rd->open(c); !r) return r.error();
  return std::unique_ptr<changelog::ChangelogReader>(std::move(rd));
}

}  // namespace kilter::kafka

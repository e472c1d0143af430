#include "kafka/producer.h"

#include <atomic>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/client.h"

namespace kilter::kafka {
namespace {

using detail::error_of;
using detail::error_text;

class RdProducer final : public Producer {
 public:
  Result<void> open(const config::KafkaConfig& c) {
    auto conf = detail::make_conf(
        c.properties,
        {{"bootstrap.servers", c.brokers}, {"enable.idempotence", "true"}, {"linger.ms", "5"}});
    if (!conf) return conf.error();
    rd_kafka_conf_set_opaque(conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(conf->get(), &RdProducer::on_delivery);
    char err[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf->get(), err, sizeof err));
    if (!rk_) return Error{fmt::format("kafka producer: {}", err)};
    (void)conf->release();  // rd_kafka_new took it
    return ok();
  }

  ~RdProducer() override {
    if (rk_ && rd_kafka_outq_len(rk_.get()) > 0) {
      // Whatever is still queued was never confirmed to its owner; try once more.
      rd_kafka_flush(rk_.get(), 5000);
    }
  }

  Result<void> send(std::string_view topic, std::string_view key, std::string_view value,
                    const Headers& headers, Delivered delivered) override {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const auto& [k, v] : headers)
        rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                            static_cast<ssize_t>(v.size()));
    }
    topic_.assign(topic);
    // Handed back in the delivery report, which deletes it.
    auto* opaque = delivered ? new Delivered(std::move(delivered)) : nullptr;
    auto err =
        rd_kafka_producev(rk_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
                          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // A full queue means the brokers have not taken anything for a while:
      // waiting here would stall the event loop, so the caller tries again later.
      if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);  // not taken on failure
      delete opaque;
      return error_of(fmt::format("kafka produce to {}: {}", topic, error_text(err)), err);
    }
    rd_kafka_poll(rk_.get(), 0);
    return ok();
  }

  Result<void> flush(std::chrono::milliseconds timeout) override {
    auto err = rd_kafka_flush(rk_.get(), static_cast<int>(timeout.count()));
    auto failed = failed_since_flush_.exchange(0);
    if (failed > 0)
      return Error{fmt::format("{} message(s) not delivered: {}", failed, last_error()),
                   last_code_};
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return error_of(fmt::format("kafka flush: {} ({} message(s) still queued)", error_text(err),
                                  rd_kafka_outq_len(rk_.get())),
                      err);
    return ok();
  }

  ProducerStats stats() const override { return {produced_.load(), failed_.load()}; }

  std::size_t max_message_bytes() const override {
    char buf[64];
    std::size_t size = sizeof buf;
    if (rd_kafka_conf_get(rd_kafka_conf(rk_.get()), "message.max.bytes", buf, &size) !=
        RD_KAFKA_CONF_OK)
      return 1'000'000;  // librdkafka's default
    return std::strtoull(buf, nullptr, 10);
  }

 private:
  void poll() override { rd_kafka_poll(rk_.get(), 0); }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<RdProducer*>(opaque);
    std::unique_ptr<Delivered> delivered(static_cast<Delivered*>(m->_private));
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->produced_.fetch_add(1);
      if (delivered) (*delivered)(ok(), false);
      return;
    }
    self->failed_.fetch_add(1);
    self->last_error_ = error_text(m->err);  // read on the same (polling) thread
    self->last_code_ = detail::errc_of(m->err);
    if (delivered) {
      (*delivered)(Error{self->last_error_, self->last_code_},
                   m->err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
      return;  // its owner was told; it does not fail the next flush
    }
    self->failed_since_flush_.fetch_add(1);
  }
  std::string last_error() const { return last_error_; }

  detail::HandlePtr rk_;
  std::string topic_;
  std::atomic<std::uint64_t> produced_{0}, failed_{0}, failed_since_flush_{0};
  std::string last_error_;
  Errc last_code_ = Errc::failed;
};

}  // namespace

Result<std::unique_ptr<Producer>> make_producer(const config::KafkaConfig& c) {
  auto p = std::make_unique<RdProducer>();
  if (auto r = p->open(c); !r) return r.error();
  return std::unique_ptr<Producer>(std::move(p));
}

}  // namespace kilter::kafka

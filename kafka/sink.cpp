#include "kafka/sink.h"

#include <simdjson.h>

namespace kilter::kafka {
namespace {

constexpr std::chrono::seconds kDeliveryTimeout{10};

class AlertSink final : public pipeline::Sink {
 public:
  AlertSink(std::string name, std::string topic, Producer& p)
      : name_(std::move(name)), topic_(std::move(topic)), producer_(p) {}
  const std::string& name() const override { return name_; }

  Result<void> deliver(std::string_view record) override {
    // Keyed by account, so one account's alerts stay in order in one partition.
    std::string account;
    simdjson::padded_string padded(record);
    simdjson::dom::element doc;
    std::string_view v;
    if (!parser_.parse(padded).get(doc) && !doc["account"].get(v)) account.assign(v);
    if (auto r = producer_.send(topic_, account, record); !r) return r;
    // Confirmed before the outbox lets go of the record.
    return producer_.flush(kDeliveryTimeout);
  }

 private:
  std::string name_, topic_;
  Producer& producer_;
  simdjson::dom::parser parser_;
};

}  // namespace

std::unique_ptr<pipeline::Sink> make_alert_sink(const config::SinkConfig& c, Producer& producer) {
  return std::make_unique<AlertSink>(c.name, c.topic, producer);
}

}  // namespace kilter::kafka

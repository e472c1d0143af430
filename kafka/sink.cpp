#include "kafka/sink.h"

#include <memory>

namespace kilter::kafka {
namespace {

class AlertSink final : public pipeline::Sink {
 public:
  AlertSink(std::string name, std::string topic, Producer& p)
      : name_(std::move(name)), topic_(std::move(topic)), producer_(p) {}
  const std::string& name() const override { return name_; }

  void deliver(std::span<const pipeline::AlertRef> alerts,
               std::function<void(pipeline::SinkResult)> done) override {
    // Told once every record is acknowledged (or the first one failed).
    struct Pending {
      std::size_t left;
      bool failed = false;
      std::function<void(pipeline::SinkResult)> done;
    };
    auto pending = std::make_shared<Pending>(Pending{alerts.size(), false, std::move(done)});
    for (const auto& a : alerts) {
      // The SPEC JSON line as made once (an alert or a digest), keyed by account,
      // so one account's records stay in order in one partition.
      auto r = producer_.send(topic_, a->account(), a->json, {}, [pending](Result<void> r, bool) {
        if (pending->failed) return;
        if (!r) {
          pending->failed = true;
          return pending->done({false, false, {}, "kafka: " + r.error().message});
        }
        if (--pending->left == 0) pending->done({true, false, {}, {}});
      });
      if (!r) {
        pending->failed = true;
        return pending->done({false, false, {}, r.error().message});
      }
    }
  }

 private:
  std::string name_, topic_;
  Producer& producer_;
};

}  // namespace

std::unique_ptr<pipeline::Sink> make_alert_sink(const config::SinkConfig& c, Producer& producer) {
  return std::make_unique<AlertSink>(c.name, std::get<config::KafkaSinkOptions>(c.options).topic,
                                     producer);
}

}  // namespace kilter::kafka

// The sink seam: where alert records go. Every sink receives the same typed alert
// records, each with its SPEC JSON line made once: the file, webhook and Kafka
// sinks send that line as it is, the channels (Slack, Teams, Alertmanager) and the
// log render the typed record. Deliveries are asynchronous: the outbox hands a
// sink one notification at a time and waits for its answer.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/dispatcher.h"
#include "common/result.h"
#include "config/config.h"
#include "pipeline/delivery/http_client.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/model/alert.h"

namespace kilter::pipeline {

// An alert record on its way out: the typed record and its SPEC JSON line
// (to_json(record) when the engine made it, the stored line when the outbox read
// it back after a restart). Made once, shared read-only by every sink it goes to.
struct OutboundAlert {
  AlertRecord record;
  std::string json;
};
using AlertRef = std::shared_ptr<const OutboundAlert>;

inline AlertRef make_outbound(AlertRecord record, std::string json) {
  return std::make_shared<const OutboundAlert>(OutboundAlert{std::move(record), std::move(json)});
}
inline AlertRef make_outbound(AlertRecord record) {
  auto json = to_json(record);
  return make_outbound(std::move(record), std::move(json));
}

struct SinkResult {
  bool ok = false;
  // The receiver refused the request itself (a 4xx other than 408/429): the same
  // request will not do better; after a few attempts the outbox gives up on it.
  bool rejected = false;
  std::optional<Millis> retry_after;  // the receiver asked to wait this long
  std::string error;                  // for logs: never holds a URL or a secret
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const std::string& name() const = 0;
  // True when several records of one account become one message (Slack, Teams,
  // Alertmanager); the others receive one record per delivery.
  virtual bool groups() const { return false; }
  // Delivers `alerts` (records of one account, oldest first). `done` is called
  // exactly once, possibly before deliver() returns. The span is valid during
  // the call; a sink that needs a record later keeps its AlertRef.
  virtual void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) = 0;
};

// What the sinks that keep alerts alive, or remind of them, need to know: the
// alerts firing now (and notified), as records, with the sinks they are routed to.
struct FiringAlert {
  AlertRecord record;
  std::vector<std::string> sinks;
};
using FiringAlerts = std::function<std::vector<FiringAlert>()>;

// What the HTTP sinks share: the client, the event loop, and the firing alerts.
struct SinkContext {
  HttpClient* http = nullptr;
  Dispatcher* dispatcher = nullptr;
  FiringAlerts firing;
};

// file, log, webhook, slack, teams and alertmanager sinks; kafka sinks come from kafka/.
Result<std::unique_ptr<Sink>> make_sink(const config::SinkConfig& c, const SinkContext& ctx);

}  // namespace kilter::pipeline

// The sink seam: where alert records go. Every sink receives the same SPEC alert
// records (JSON); channel sinks render them. Deliveries are asynchronous: the
// outbox hands a sink one notification at a time and waits for its answer.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/dispatcher.h"
#include "common/result.h"
#include "config/config.h"
#include "pipeline/delivery/http_client.h"

namespace kilter::pipeline {

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
  // Delivers `records` (SPEC alert records of one account, oldest first).
  // `done` is called exactly once, possibly before deliver() returns; the
  // records stay valid until then.
  virtual void deliver(const std::vector<std::string>& records,
                       std::function<void(SinkResult)> done) = 0;
};

// What the sinks that keep alerts alive, or remind of them, need to know: the
// alerts firing now (and notified), as records, with the sinks they are routed to.
struct FiringAlert {
  std::string record;
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

// "FIRING   acme  brand-on-topic  acme: personal share 42% over 7d (max 10%)"
std::string render_alert_line(std::string_view record_json);

}  // namespace kilter::pipeline

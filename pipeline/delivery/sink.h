// The sink seam: where alert and digest records go. Every sink receives the same
// typed records, each with its SPEC JSON line made once: the file, webhook and
// Kafka sinks send that line as it is, the channels (Slack, Teams, Alertmanager)
// and the log render the typed record. Deliveries are asynchronous: the outbox
// hands a sink one notification at a time and waits for its answer.
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
#include "pipeline/model/digest.h"

namespace kilter::pipeline {

// An outbox entry on its way out, an alert record or a digest record: the typed
// record and its SPEC JSON line (to_json(record) when the engine made it, the
// stored line when the outbox read it back after a restart). Made once, shared
// read-only by every sink it goes to.
struct OutboundAlert {
  AlertRecord record;                  // an alert (empty for a digest)
  std::string json;                    // its SPEC JSON line
  std::optional<DigestRecord> digest;  // set: the entry is this digest, not an alert
  bool is_digest() const { return digest.has_value(); }
  const std::string& account() const { return digest ? digest->account : record.account; }
  // alert_id, or digest_id: the notification's name for receivers that drop copies.
  const std::string& id() const { return digest ? digest->digest_id : record.alert_id; }
};
using AlertRef = std::shared_ptr<const OutboundAlert>;

inline AlertRef make_outbound(AlertRecord record, std::string json) {
  auto out = std::make_shared<OutboundAlert>();
  out->record = std::move(record);
  out->json = std::move(json);
  return out;
}
inline AlertRef make_outbound(AlertRecord record) {
  auto json = to_json(record);
  return make_outbound(std::move(record), std::move(json));
}
inline AlertRef make_outbound(DigestRecord digest, std::string json) {
  auto out = std::make_shared<OutboundAlert>();
  out->digest = std::move(digest);
  out->json = std::move(json);
  return out;
}
inline AlertRef make_outbound(DigestRecord digest) {
  auto json = to_json(digest);
  return make_outbound(std::move(digest), std::move(json));
}
// Whether two digest entries belong to one run (same digest, same period end):
// the channels render a run as one message.
inline bool same_run(const OutboundAlert& a, const OutboundAlert& b) {
  return a.digest && b.digest && a.digest->digest == b.digest->digest &&
         a.digest->to == b.digest->to;
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
  // Alertmanager), and the digests of one run (same_run) one message; the others
  // receive one record per delivery.
  virtual bool groups() const { return false; }
  // False for a sink that has no use for digests (Alertmanager: they are not
  // alerts): the outbox confirms them for it without a delivery (counted in
  // SinkStats::skipped).
  virtual bool takes_digests() const { return true; }
  // Delivers `alerts` (alert records of one account, oldest first; or, from a
  // grouping sink, digest records of one run). `done` is called
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

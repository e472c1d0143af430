// The outbound HTTP seam: the alert sinks that speak HTTP (webhook, Slack, Teams,
// Alertmanager) send through it. libcurl lives behind it in http/; tests can fake it.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace kilter::pipeline {

struct OutboundRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length
  std::string body;
  std::chrono::milliseconds timeout{10'000};  // the whole exchange, connection included
};

struct OutboundResponse {
  int status = 0;     // the HTTP status; 0: no answer (transport error, timeout)
  std::string body;   // the first 64 KiB of the answer
  std::string error;  // what went wrong when status == 0 (never contains the URL)
  std::optional<std::chrono::seconds> retry_after;  // a Retry-After header in seconds
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // Sends asynchronously. `done` is called exactly once, on the event loop the
  // client was made for; requests still in flight when the client is destroyed
  // are abandoned and their callbacks never run.
  virtual void send(OutboundRequest req, std::function<void(OutboundResponse)> done) = 0;
};

}  // namespace kilter::pipeline

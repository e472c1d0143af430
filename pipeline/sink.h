// The sink seam: where alert records go. Every sink receives the same SPEC alert
// record (JSON); channel-specific sinks render it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace kilter::pipeline {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual const std::string& name() const = 0;
  // Delivers one record; an error means "try again later", the record stays queued.
  virtual Result<void> deliver(std::string_view record_json) = 0;
};

// file and log sinks; other types are refused with a clear error until they exist.
Result<std::unique_ptr<Sink>> make_sink(const config::SinkConfig& c);
Result<std::vector<std::unique_ptr<Sink>>> make_sinks(const std::vector<config::SinkConfig>& cs);

// "FIRING   acme  brand-on-topic  acme: personal share 42% over 7d (max 10%)"
std::string render_alert_line(std::string_view record_json);

}  // namespace kilter::pipeline

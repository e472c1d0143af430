// One idempotent Kafka producer per daemon, shared by the dead-letter topic and
// the alert sink.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/config.h"

namespace kilter::kafka {

using Headers = std::vector<std::pair<std::string_view, std::string_view>>;

struct ProducerStats {
  std::uint64_t produced = 0;  // delivered and acknowledged
  std::uint64_t failed = 0;    // delivery reports with an error
};

class Producer {
 public:
  // The message's fate; `too_large` when it was refused for its size (the
  // producer's or the broker's message.max.bytes).
  using Delivered = std::function<void(Result<void>, bool too_large)>;
  virtual ~Producer() = default;
  // Queues a message; its fate is known at the next flush(), and told to
  // `delivered` (when given) from inside poll() or flush(). Never waits: a
  // full queue (the brokers are away) is an error, to be tried again later.
  virtual Result<void> send(std::string_view topic, std::string_view key, std::string_view value,
                            const Headers& headers = {}, Delivered delivered = {}) = 0;
  // Serves delivery reports without waiting.
  virtual void poll() = 0;
  // Waits until everything queued is acknowledged. An error when something was
  // not delivered since the last flush, or the wait timed out.
  virtual Result<void> flush(std::chrono::milliseconds timeout) = 0;
  virtual ProducerStats stats() const = 0;
  // The largest message send() takes (message.max.bytes), key, value and
  // headers together, framing included.
  virtual std::size_t max_message_bytes() const = 0;
};

// Brokers and the verbatim properties come from the kafka section.
Result<std::unique_ptr<Producer>> make_producer(const config::KafkaConfig& c);

}  // namespace kilter::kafka

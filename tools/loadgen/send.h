// Sending one generated event to Kafka, waiting out a full producer queue.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "kafka/producer.h"

namespace kilter::loadgen {

// Unpaced, the generator makes events faster than a broker takes them, and
// the producer's queue (librdkafka's queue.buffering.max.messages) fills:
// Producer::send then refuses with a retriable error instead of waiting. This
// waits (`wait()`: serve delivery reports, pause) and sends again, up to
// `max_waits` times in a row; then the queue is taken as stuck and its error
// returned. Any other error is returned at once.
template <class Wait>
Result<void> send_waiting(kafka::Producer& producer, std::string_view topic, std::string_view key,
                          std::string_view value, std::size_t max_waits, Wait&& wait) {
  for (std::size_t n = 0;; ++n) {
    auto r = producer.send(topic, key, value);
    if (r || !r.error().retriable() || n == max_waits) return r;
    wait();
  }
}

}  // namespace kilter::loadgen

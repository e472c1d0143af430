// The dead-letter topic of the Kafka source: every bad message is copied there
// with headers naming its origin, and none is lost silently. A letter too large
// for the topic is cut to fit (header `kilter-truncated: <original size>`); a
// letter the topic refuses is kept and sent again, and the offsets past it wait
// until it is acknowledged (durable() says so). Internal to kafka/.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "kafka/producer.h"
#include "pipeline/ingest/source.h"

namespace kilter::kafka::detail {

class DeadLetters {
 public:
  DeadLetters(Producer& producer, std::string topic);
  ~DeadLetters();
  DeadLetters(const DeadLetters&) = delete;
  DeadLetters& operator=(const DeadLetters&) = delete;

  void send(const pipeline::SourceMessage& m, std::string_view reason);
  // Ok once every letter sent so far is acknowledged; otherwise letters that
  // failed are sent again and the error says how many are owed.
  Result<void> durable();
  pipeline::DeadLetterStats stats() const;

  // Room left for a value next to this key and these headers in one message
  // of at most `max_bytes` (librdkafka's framing counted generously).
  static std::size_t room(std::size_t max_bytes, std::string_view key,
                          const std::vector<std::pair<std::string, std::string>>& headers);

 private:
  struct Letter;
  void attempt(const std::shared_ptr<Letter>& l);

  Producer& producer_;
  std::string topic_;
  std::vector<std::shared_ptr<Letter>> owed_;  // not acknowledged yet
  pipeline::DeadLetterStats stats_;
  std::string last_error_;
};

}  // namespace kilter::kafka::detail

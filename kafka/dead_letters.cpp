#include "kafka/dead_letters.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace kilter::kafka::detail {

struct DeadLetters::Letter {
  std::string key, value;
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t original_size = 0;
  std::size_t limit = 0;  // largest value tried next (halved when the broker refuses a size)
  enum class State { in_flight, acknowledged, failed } state = State::in_flight;
  bool truncated = false;
  // The producer's report may come after this object is gone (at shutdown).
  std::shared_ptr<bool> alive;
};

DeadLetters::DeadLetters(Producer& producer, std::string topic)
    : producer_(producer), topic_(std::move(topic)) {}

DeadLetters::~DeadLetters() {
  for (auto& l : owed_) *l->alive = false;
}

std::size_t DeadLetters::room(std::size_t max_bytes, std::string_view key,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  // A record batch of one message: ~61 bytes of batch header, up to ~21 of
  // record header, varint lengths for key, value and each header.
  std::size_t used = 128 + key.size();
  for (const auto& [k, v] : headers) used += k.size() + v.size() + 10;
  return max_bytes > used ? max_bytes - used : 0;
}

void DeadLetters::send(const pipeline::SourceMessage& m, std::string_view reason) {
  auto l = std::make_shared<Letter>();
  l->key.assign(m.key);
  l->value.assign(m.payload);
  l->original_size = m.payload.size();
  l->headers = {{"kilter-source-topic", std::string(m.topic)},
                {"kilter-source-partition", std::to_string(m.source_partition)},
                {"kilter-source-offset", std::to_string(m.offset.value())},
                {"kilter-reason", std::string(reason)}};
  l->alive = std::make_shared<bool>(true);
  l->limit = l->value.size();
  owed_.push_back(l);
  ++stats_.pending;
  attempt(l);
}

void DeadLetters::attempt(const std::shared_ptr<Letter>& l) {
  // Cut to fit: a header with the original size says so.
  auto headers = l->headers;
  const std::string original = std::to_string(l->original_size);
  auto with_mark = headers;
  with_mark.emplace_back("kilter-truncated", original);
  const auto fits = std::min(l->limit, room(producer_.max_message_bytes(), l->key, with_mark));
  std::string_view value = l->value;
  if (value.size() > fits || l->limit < l->original_size) {
    value = value.substr(0, std::min(fits, value.size()));
    headers = std::move(with_mark);
    if (!l->truncated)
      spdlog::warn(
          "dead letter from {} [{}] offset {}: {} bytes do not fit the topic's largest message; "
          "sent truncated to {} bytes (header kilter-truncated)",
          l->headers[0].second, l->headers[1].second, l->headers[2].second, l->original_size,
          value.size());
    l->truncated = true;
  }
  Headers views;
  for (const auto& [k, v] : headers) views.emplace_back(k, v);
  l->state = Letter::State::in_flight;
  auto alive = l->alive;
  Letter* raw = l.get();
  auto r = producer_.send(topic_, l->key, value, views,
                          [this, alive, raw, size = value.size()](Result<void> r, bool too_large) {
                            if (!*alive) return;
                            if (r) {
                              raw->state = Letter::State::acknowledged;
                              return;
                            }
                            raw->state = Letter::State::failed;
                            last_error_ = r.error().message;
                            // The broker takes less than the producer: try half as much next time.
                            if (too_large) raw->limit = size / 2;
                          });
  if (!r) {
    l->state = Letter::State::failed;
    last_error_ = r.error().message;
  }
}

Result<void> DeadLetters::durable() {
  producer_.poll();  // delivery reports, without waiting
  std::size_t in_flight = 0, failed = 0;
  auto kept = owed_.begin();
  for (auto& l : owed_) {
    if (l->state == Letter::State::acknowledged) {
      ++stats_.sent;
      if (l->truncated) ++stats_.truncated;
      --stats_.pending;
      continue;
    }
    if (l->state == Letter::State::failed) {
      ++failed;
      ++stats_.failed;
      if (stats_.failed == 1 || stats_.failed % 100 == 0)
        spdlog::warn(
            "dead-letter topic {} refused a letter ({} refusals so far): {}; it is sent again, "
            "and the offsets past it wait",
            topic_, stats_.failed, last_error_);
      attempt(l);
    }
    if (l->state == Letter::State::in_flight) ++in_flight;
    *kept++ = l;
  }
  owed_.erase(kept, owed_.end());
  if (owed_.empty()) return ok();
  return Error{
      fmt::format("dead-letter topic {}: {} letter(s) not acknowledged yet ({} in flight, "
                  "{} refused{}{})",
                  topic_, owed_.size(), in_flight, failed, failed > 0 ? ": " : "",
                  failed > 0 ? last_error_ : ""),
      Errc::unavailable};  // each is sent again: the checkpoint goes through once they land
}

pipeline::DeadLetterStats DeadLetters::stats() const {
  return stats_;
}

}  // namespace kilter::kafka::detail

// JSON -> Event with simdjson on-demand. Bad input is a value (a reason), never
// an exception and never a crash.
#pragma once

#include <memory>
#include <string_view>

#include "pipeline/model/event.h"

namespace kilter::pipeline {

enum class BadInput : std::uint8_t {
  empty,
  oversized,
  invalid_json,
  invalid_utf8,
  not_an_object,
  missing_field,
  wrong_type,
  unknown_type,
  unknown_action,
  unknown_category,
  unknown_kind,
  bad_timestamp,
  bad_value,         // e.g. an empty id, a count or follower number out of its range
  duplicate_key,     // a field of the contract given twice in the root object
  future_timestamp,  // too far ahead of the wall clock (the engine's check, not the decoder's)
};
inline constexpr std::size_t kBadInputReasons = 15;
std::string_view to_string(BadInput r);

struct DecodeOutcome {
  bool ok = false;
  BadInput reason = BadInput::empty;
  std::string_view field;  // the field concerned, when there is one
};

class Decoder {
 public:
  explicit Decoder(std::size_t max_event_bytes);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // `capacity` is how many readable bytes start at data (>= size); when it leaves
  // simdjson's padding the input is decoded in place, otherwise it is copied into
  // an internal padded buffer.
  DecodeOutcome decode(std::string_view input, std::size_t capacity, Event& out);
  DecodeOutcome decode(std::string_view input, Event& out) {
    return decode(input, input.size(), out);
  }

  static std::size_t padding();  // bytes of readable slack that allow in-place decoding

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kilter::pipeline

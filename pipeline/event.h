// The decoded event. Every string is a view into the decoder's buffers and is
// valid until the next decode() on the same Decoder; nothing is allocated per event.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "common/types.h"

namespace kilter::pipeline {

enum class EventType : std::uint8_t { post, engagement, followers };

struct Event {
  EventType type = EventType::post;
  std::string_view id;
  std::string_view account;
  TimePoint ts;
  // post
  std::string_view post_id;  // also engagement
  std::string_view text;
  std::string_view lang;
  PostKind kind = PostKind::unknown;
  std::optional<Category> category;  // trusted when present
  std::span<const std::string_view> hashtags;
  std::span<const std::string_view> mentions;
  std::span<const std::string_view> links;
  // engagement
  Action action = Action::like;
  std::uint64_t count = 1;
  // followers
  std::int64_t followers = 0;
};

}  // namespace kilter::pipeline

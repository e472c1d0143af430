// The decoded event. Every string is a view into the decoder's buffers and is
// valid until the next decode() on the same Decoder; nothing is allocated per event.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "common/types.h"

namespace kilter {

// The ranges the decoder accepts; a value beyond them is bad input (bad_value).
// A sum of counts may still exceed 64 bits (many events in a window): the sums
// saturate instead of wrapping (see common/saturating.h).
inline constexpr std::uint64_t kMaxEngagementCount = 4'294'967'295;       // 2^32 - 1
inline constexpr std::int64_t kMaxFollowers = 9'223'372'036'854'775'807;  // 2^63 - 1

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
  std::uint64_t count = 1;  // 1 .. kMaxEngagementCount
  // followers
  std::int64_t followers = 0;  // 0 .. kMaxFollowers
};

}  // namespace kilter

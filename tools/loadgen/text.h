// Post texts from the pools, and the JSON lines of the three event types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "tools/loadgen/persona.h"
#include "tools/loadgen/random.h"

namespace kilter::loadgen {

// One composed post. Reused from post to post: clear() keeps the capacity.
struct ComposedPost {
  std::string text;
  std::string link;                        // empty: no link
  std::vector<std::string_view> hashtags;  // views into the static pools
  std::vector<std::string_view> mentions;
  PostKind kind = PostKind::original;
  Lang lang = Lang::en;
  Category category = Category::unclassified;
};

// Fills `out` with a post of category `c` (personal, professional or promotional).
void compose(ComposedPost& out, const Persona& p, Lang lang, Category c, Rng& rng);

// "acme-p42"
void append_post_id(std::string& out, std::string_view account, std::uint64_t post_no);
// "2026-11-20T09:15:00Z" (whole seconds; the generator plans in seconds)
void append_timestamp(std::string& out, TimePoint t);

// Each writer replaces `out` with one JSON object (no newline).
// label_field: when not empty, the intended category is written under that name.
void write_post(std::string& out, std::string_view event_id, std::string_view account, TimePoint ts,
                std::uint64_t post_no, const ComposedPost& post, std::string_view label_field = {});
void write_engagement(std::string& out, std::string_view event_id, std::string_view account,
                      TimePoint ts, std::uint64_t post_no, Action action, std::uint64_t count);
void write_followers(std::string& out, std::string_view event_id, std::string_view account,
                     TimePoint ts, std::int64_t followers);

}  // namespace kilter::loadgen

// Post texts from the pools, and the JSON lines of the three event types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"
#include "tools/loadgen/persona.h"
#include "tools/loadgen/random.h"
#include "tools/loadgen/texts.h"

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

// Which labels a post carries besides its text: by default none (the classifier
// decides). `field`, when not empty, names a field for the intended category that
// the daemon ignores (ground truth for checking it); `trusted` also writes it as
// `category`, which the daemon trusts instead of classifying (`--trusted-labels`).
struct Labels {
  std::string_view field;
  bool trusted = false;
};

// Each writer replaces `out` with one JSON object (no newline).
void write_post(std::string& out, std::string_view event_id, std::string_view account, TimePoint ts,
                std::uint64_t post_no, const ComposedPost& post, Labels labels = {});
// A post taken from a labelled file (--texts), of intended category `c` and
// language `lang` (written only when the file's post had one).
void write_post(std::string& out, std::string_view event_id, std::string_view account, TimePoint ts,
                std::uint64_t post_no, const TextPost& post, Lang lang, Category c,
                Labels labels = {});
void write_engagement(std::string& out, std::string_view event_id, std::string_view account,
                      TimePoint ts, std::uint64_t post_no, Action action, std::uint64_t count);
void write_followers(std::string& out, std::string_view event_id, std::string_view account,
                     TimePoint ts, std::int64_t followers);

}  // namespace kilter::loadgen

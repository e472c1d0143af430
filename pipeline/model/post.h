// What is remembered of a post: where it lives (to attribute engagement to it)
// and the details an alert's evidence shows.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/types.h"

namespace kilter {

// post_id -> where the post lives, so engagement can be attributed to it.
struct PostRef {
  std::string account;
  Category category = Category::unclassified;
  TimePoint ts;
};

// Per-account post record, for the evidence of an alert ("the posts that weigh most").
struct PostDetail {
  Category category = Category::unclassified;
  float confidence = 0;
  std::uint64_t engagement = 0;  // weighted engagement earned so far
  std::string matched;           // classifier terms, comma-separated
  std::string link;              // first link of the post, if any
};

}  // namespace kilter

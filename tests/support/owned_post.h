// A post that owns the strings an Event views, for tests that build posts by hand.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/model/event.h"

namespace kilter::test_support {

struct OwnedPost {
  std::string text;
  std::string lang;
  PostKind kind = PostKind::unknown;
  std::optional<Category> category;
  std::vector<std::string> hashtags, mentions, links;

  // A post event viewing this object: valid until the next event() or a change to it.
  Event event() {
    views_.clear();
    views_.reserve(hashtags.size() + mentions.size() + links.size());
    auto span_of = [&](const std::vector<std::string>& v) {
      auto first = views_.size();
      for (const auto& s : v) views_.emplace_back(s);
      return std::span<const std::string_view>(views_.data() + first, v.size());
    };
    Event e;
    e.type = EventType::post;
    e.text = text;
    e.lang = lang;
    e.kind = kind;
    e.category = category;
    e.hashtags = span_of(hashtags);
    e.mentions = span_of(mentions);
    e.links = span_of(links);
    return e;
  }

 private:
  std::vector<std::string_view> views_;
};

}  // namespace kilter::test_support

// Text pools the generator composes posts from, per language and category.
// Lines hold {placeholders} filled per post (see text.h), so one line yields
// many distinct posts.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace kilter::loadgen {

enum class Lang : std::uint8_t { en, fr };
inline constexpr std::size_t kLangs = 2;
std::string_view to_string(Lang l);

enum class LinkKind : std::uint8_t { none, shop, blog, press, careers, docs };
inline constexpr std::size_t kLinkKinds = 6;

// Which accounts a line suits: software/hardware companies, consumer brands, or both.
inline constexpr std::uint8_t kTech = 1;
inline constexpr std::uint8_t kConsumer = 2;
inline constexpr std::uint8_t kAny = kTech | kConsumer;

struct Line {
  std::string_view text;
  LinkKind link = LinkKind::none;  // the kind of link the line invites
  std::uint8_t sectors = kAny;
};

using Words = std::span<const std::string_view>;

// Indexed by kilter::Category (personal, professional, promotional).
struct LangPools {
  std::span<const Line> lines[3];
  std::span<const Line> support;  // professional answers to customers, posted as replies
  Words closers[3];
  Words hashtags[3];
  Words names, cities, days, events, quarters, roles, partners, friends, code_words;
};

const LangPools& pools(Lang l);
const LangPools& en_pools();  // phrases_en.cpp
const LangPools& fr_pools();  // phrases_fr.cpp
Words link_slugs(LinkKind k);

}  // namespace kilter::loadgen

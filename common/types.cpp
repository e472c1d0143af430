#include "common/types.h"

namespace kilter {
namespace {
constexpr std::array<std::string_view, kCategories> kCategoryNames = {
    "personal", "professional", "promotional", "unclassified"};
constexpr std::array<std::string_view, kActions> kActionNames = {"reply", "repost", "quote",
                                                                 "like",  "click",  "impression"};
constexpr std::array<std::string_view, 5> kKindNames = {"unknown", "original", "reply", "repost",
                                                        "quote"};
constexpr std::array<std::string_view, kEngagementClasses> kClassNames = {
    "personal", "professional", "promotional", "unclassified", "unattributed"};
}  // namespace

std::string_view to_string(Category c) {
  return kCategoryNames[static_cast<std::size_t>(c)];
}
std::string_view to_string(Action a) {
  return kActionNames[static_cast<std::size_t>(a)];
}
std::string_view to_string(PostKind k) {
  return kKindNames[static_cast<std::size_t>(k)];
}
std::string_view to_string(EngagementClass e) {
  return kClassNames[static_cast<std::size_t>(e)];
}

std::optional<Category> parse_category(std::string_view s) {
  for (std::size_t i = 0; i < kClassifiedCategories; ++i)
    if (kCategoryNames[i] == s) return static_cast<Category>(i);
  return std::nullopt;
}
std::optional<Action> parse_action(std::string_view s) {
  for (std::size_t i = 0; i < kActions; ++i)
    if (kActionNames[i] == s) return static_cast<Action>(i);
  return std::nullopt;
}
std::optional<PostKind> parse_post_kind(std::string_view s) {
  for (std::size_t i = 1; i < kKindNames.size(); ++i)
    if (kKindNames[i] == s) return static_cast<PostKind>(i);
  return std::nullopt;
}

}  // namespace kilter

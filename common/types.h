// Strong types shared by every module. Mixing a partition with an offset, or an
// account id with a post id, is a bug the compiler should catch.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace kilter {

template <class Tag, class Rep>
class Strong {
 public:
  using rep = Rep;
  constexpr Strong() = default;
  constexpr explicit Strong(Rep v) : v_(v) {}
  constexpr Rep value() const { return v_; }
  constexpr auto operator<=>(const Strong&) const = default;

 private:
  Rep v_{};
};

using Partition = Strong<struct PartitionTag, std::int32_t>;
// Position inside a partition: a Kafka offset, or a byte offset in a file.
using Offset = Strong<struct OffsetTag, std::int64_t>;

// Event time and wall time are both milliseconds since the Unix epoch (UTC).
using Millis = std::chrono::milliseconds;
using TimePoint = std::chrono::sys_time<Millis>;

inline constexpr TimePoint from_epoch_ms(std::int64_t ms) {
  return TimePoint{Millis{ms}};
}
inline constexpr std::int64_t epoch_ms(TimePoint t) {
  return t.time_since_epoch().count();
}

// A string id with a tag, for the places where ids are stored (config, state,
// alerts). The hot path works on std::string_view views into the input.
template <class Tag>
class StringId {
 public:
  StringId() = default;
  explicit StringId(std::string v) : v_(std::move(v)) {}
  explicit StringId(std::string_view v) : v_(v) {}
  const std::string& str() const { return v_; }
  std::string_view view() const { return v_; }
  auto operator<=>(const StringId&) const = default;

 private:
  std::string v_;
};

// Only the ids that are kept outside the configuration have an owning type;
// profile and rule names live in config::Profile / config::Rule and travel as refs.
using AccountId = StringId<struct AccountTag>;

// A view of a tagged id, for the hot path and for APIs that take several ids
// side by side (account, profile, rule): as cheap as the string_view it wraps,
// but an account cannot be passed where a profile is expected. The caller keeps
// the text alive.
template <class Tag>
class StringRef {
 public:
  constexpr StringRef() = default;
  constexpr explicit StringRef(std::string_view v) : v_(v) {}
  StringRef(const StringId<Tag>& id) : v_(id.view()) {}  // NOLINT: implicit by design
  constexpr std::string_view view() const { return v_; }
  constexpr bool operator==(const StringRef&) const = default;
  constexpr auto operator<=>(const StringRef&) const = default;

 private:
  std::string_view v_;
};

using AccountRef = StringRef<struct AccountTag>;
using ProfileRef = StringRef<struct ProfileTag>;

enum class Category : std::uint8_t {
  personal = 0,
  professional = 1,
  promotional = 2,
  unclassified = 3
};
inline constexpr std::size_t kCategories = 4;
inline constexpr std::size_t kClassifiedCategories = 3;  // all but unclassified
// The classes a classifier chooses between, in Category order (index == value).
inline constexpr std::array<Category, kClassifiedCategories> kClassifiedCategoryList = {
    Category::personal, Category::professional, Category::promotional};

enum class Action : std::uint8_t { reply = 0, repost, quote, like, click, impression };
inline constexpr std::size_t kActions = 6;

enum class PostKind : std::uint8_t { unknown = 0, original, reply, repost, quote };

// Engagement is attributed to the category of the post it names; engagement on a
// post not (yet) known is kept as "unattributed", never dropped.
enum class EngagementClass : std::uint8_t {
  personal = 0,
  professional,
  promotional,
  unclassified,
  unattributed
};
inline constexpr std::size_t kEngagementClasses = 5;

inline constexpr EngagementClass engagement_class(Category c) {
  return static_cast<EngagementClass>(static_cast<std::uint8_t>(c));
}

std::string_view to_string(Category c);
std::string_view to_string(Action a);
std::string_view to_string(PostKind k);
std::string_view to_string(EngagementClass e);
std::optional<Category> parse_category(std::string_view s);  // classified ones only
std::optional<Action> parse_action(std::string_view s);
std::optional<PostKind> parse_post_kind(std::string_view s);

}  // namespace kilter

template <class Tag, class Rep>
struct std::hash<kilter::Strong<Tag, Rep>> {
  std::size_t operator()(const kilter::Strong<Tag, Rep>& s) const noexcept {
    return std::hash<Rep>{}(s.value());
  }
};

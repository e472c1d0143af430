#include "pipeline/rules/advice.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/time.h"

namespace kilter::pipeline {
namespace {

// Beyond this many posts an answer means nothing to a team: "never".
constexpr std::uint64_t kMaxPosts = 1'000'000'000'000'000;
// "Within 10% of the limit" includes the boundary: 0.09 is within 10% of 0.10
// although 0.9 * 0.1 is 0.09000000000000001 in binary.
constexpr double kNearSlack = 1e-9;
// Shares and `posts` read no engagement.
constexpr std::array<double, kActions> kNoWeights{};

double ratio(std::uint64_t num, std::uint64_t den) {
  return static_cast<double>(num) / static_cast<double>(den);
}

// The smallest n in [0, cap] with ok(n), ok being false then true as n grows;
// nullopt when ok(cap) is false. `guess` (a floating-point estimate) only saves
// steps: the answer is the predicate's, so no rounding of the estimate shows.
template <class Ok>
std::optional<std::uint64_t> smallest(const Ok& ok, double guess, std::uint64_t cap = kMaxPosts) {
  std::uint64_t g = 0;
  if (std::isfinite(guess) && guess > 0)
    g = guess >= static_cast<double>(cap) ? cap : static_cast<std::uint64_t>(std::ceil(guess));
  std::uint64_t lo = 0, hi = 0;  // ok(hi), !ok(lo)
  if (ok(g)) {
    hi = g;
    for (std::uint64_t step = 1;; step *= 2) {
      if (hi == 0) return 0;
      const std::uint64_t c = hi > step ? hi - step : 0;
      if (!ok(c)) {
        lo = c;
        break;
      }
      hi = c;
    }
  } else {
    lo = g;
    for (std::uint64_t step = 1;; step *= 2) {
      if (lo >= cap) return std::nullopt;
      const std::uint64_t c = cap - lo > step ? lo + step : cap;
      if (ok(c)) {
        hi = c;
        break;
      }
      lo = c;
    }
  }
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    (ok(mid) ? hi : lo) = mid;
  }
  return hi;
}

std::string posts_word(std::uint64_t n) {
  return n == 1 ? "post" : "posts";
}

// "professional or promotional"
std::string names(const std::vector<Category>& cs) {
  std::string out;
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (i > 0) out += i + 1 == cs.size() ? " or " : ", ";
    out += to_string(cs[i]);
  }
  return out;
}

std::vector<Category> others(Category c) {
  std::vector<Category> out;
  for (Category x : kClassifiedCategoryList)
    if (x != c) out.push_back(x);
  return out;
}

// The buckets of [at - window, at) holding posts, ascending: those whose
// leaving can change a share or a count.
std::vector<AccountWindows::Bucket> posting_buckets(const config::Rule& rule,
                                                    const AccountWindows& w, TimePoint at) {
  auto all = w.buckets();
  std::erase_if(all, [&](const AccountWindows::Bucket& b) {
    return b.start < at - rule.window || b.start >= at || b.counts.total_posts() == 0;
  });
  return all;
}

// A bucket starting at `start` has left the window at this boundary.
TimePoint gone_at(const config::Rule& rule, const AccountWindows& w, TimePoint start) {
  return start + w.bucket_size() + rule.window;
}

struct Leaving {
  std::optional<TimePoint> within_by;
  std::uint64_t leaving = 0;
  bool under_min_posts = false;  // the walk ended under min_posts (else: no classified post)
};

// With no new post: the first boundary at which the window is within the
// share rule's limits, and how many posts of `pulling` left by then. A boundary
// without a verdict (min_posts, no classified post) ends the walk: nullopt.
Leaving share_leaving(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                      const MetricValue& v, const std::vector<Category>& pulling) {
  WindowFigures f;
  f.sum.posts = v.figures.sum.posts;
  std::uint64_t left = 0;
  for (const auto& b : posting_buckets(rule, w, at)) {
    // min: `v` summed the same buckets, but a mismatch must not wrap around.
    for (std::size_t c = 0; c < kCategories; ++c)
      f.sum.posts[c] -= std::min(f.sum.posts[c], b.counts.posts[c]);
    for (Category c : pulling) left += b.counts.posts[static_cast<std::size_t>(c)];
    const auto value = metric_value(rule, f, nullptr, kNoWeights).value;
    if (!value) return {std::nullopt, 0, f.posts() < rule.min_posts};
    if (!breaches(rule, *value)) return {gone_at(rule, w, b.start), left};
  }
  return {};
}

std::string head(const config::Rule& rule, Category cat, std::uint64_t p, std::uint64_t c,
                 double value, std::string_view bound, double limit) {
  return fmt::format("{} {} of {} {} in {}, {}, {} {}", p, to_string(cat), c, posts_word(c),
                     window_text(rule), format_metric_value(rule.metric, value), bound,
                     format_metric_value(rule.metric, limit));
}

std::string leaving_text(const config::Rule& rule, const Leaving& l,
                         const std::vector<Category>& pulling) {
  // Posts leaving always end in an empty window: without a date, the rule ran
  // out of posts for a verdict first.
  if (!l.within_by && l.under_min_posts)
    return fmt::format(
        "with no new post, the window falls under min_posts ({}) before it is back within limits",
        rule.min_posts);
  if (!l.within_by)
    return "with no new post, it stays out of limits until its last classified post leaves the "
           "window";
  return fmt::format("with no new post, back within limits by {} ({} {} {} leave the window)",
                     advice_day(*l.within_by), l.leaving, names(pulling), posts_word(l.leaving));
}

Advice base(const config::Rule& rule, double value) {
  Advice a;
  a.rule = rule.name;
  a.metric = std::string(config::to_string(rule.metric));
  a.window = window_text(rule);
  a.status = "breach";
  a.value = value;
  return a;
}

// Room on each side of a share within limits: how many more posts of the wrong
// category it takes and stays within. nullopt: that side has no limit, or no
// number of posts breaches it.
std::optional<Advice> share_close(const config::Rule& rule, Category cat, std::uint64_t p,
                                  std::uint64_t c, double value) {
  struct Side {
    double limit;
    std::uint64_t room;
    std::vector<Category> of;
    std::string_view bound;
  };
  std::optional<Side> pick;
  auto consider = [&](Side s, bool near) {
    if ((near || s.room == 0) && (!pick || s.room < pick->room)) pick = std::move(s);
  };
  if (rule.max && *rule.max < 1) {
    const double max = *rule.max;
    const auto breach =
        smallest([&](std::uint64_t k) { return ratio(p + k, c + k) > max; },
                 (max * static_cast<double>(c) - static_cast<double>(p)) / (1 - max) + 1);
    if (breach && *breach > 0)
      consider({max, *breach - 1, {cat}, "max"}, value >= (1 - kCloseMargin) * max - kNearSlack);
  }
  if (rule.min && *rule.min > 0) {
    const double min = *rule.min;
    const auto breach = smallest([&](std::uint64_t k) { return ratio(p, c + k) < min; },
                                 static_cast<double>(p) / min - static_cast<double>(c) + 1);
    if (breach && *breach > 0)
      consider({min, *breach - 1, others(cat), "min"},
               value <= (1 + kCloseMargin) * min + kNearSlack);
  }
  if (!pick) return std::nullopt;
  Advice a = base(rule, value);
  a.status = "close";
  a.limit = pick->limit;
  a.posts_needed = pick->room;
  a.of = pick->of;
  const std::string what = names(pick->of);
  const std::string room = pick->room == 0 ? fmt::format("the next {} post would breach it", what)
                                           : fmt::format("room for {} more {} {}", pick->room, what,
                                                         posts_word(pick->room));
  a.text = fmt::format("{}: close to the limit, {}",
                       head(rule, cat, p, c, value, pick->bound, pick->limit), room);
  return a;
}

std::optional<Advice> share_advice(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                                   const MetricValue& v, Category cat) {
  const std::uint64_t p = v.figures.posts(cat);
  const std::uint64_t c = v.figures.classified_posts();
  const double value = *v.value;
  if (rule.max && value > *rule.max) {
    const double max = *rule.max;
    Advice a = base(rule, value);
    a.limit = max;
    std::string fix = "no number of other posts is enough";
    if (max > 0) {
      const auto n = smallest([&](std::uint64_t k) { return !(ratio(p, c + k) > max); },
                              static_cast<double>(p) / max - static_cast<double>(c));
      if (n) {
        a.posts_needed = *n;
        a.of = others(cat);
        fix = fmt::format("{} {} {} would be needed", *n, names(a.of), posts_word(*n));
      }
    }
    const auto l = share_leaving(rule, w, at, v, {cat});
    a.within_by = l.within_by;
    a.leaving = l.leaving;
    a.text = fmt::format("{}: {}; {}", head(rule, cat, p, c, value, "max", max), fix,
                         leaving_text(rule, l, {cat}));
    return a;
  }
  if (rule.min && value < *rule.min) {
    const double min = *rule.min;
    Advice a = base(rule, value);
    a.limit = min;
    std::string fix = fmt::format("no number of {} posts is enough", to_string(cat));
    const auto n = smallest([&](std::uint64_t k) { return !(ratio(p + k, c + k) < min); },
                            (min * static_cast<double>(c) - static_cast<double>(p)) / (1 - min));
    if (n) {
      a.posts_needed = *n;
      a.of = {cat};
      fix = fmt::format("{} {} {} would be needed", *n, to_string(cat), posts_word(*n));
    }
    const auto pulling = others(cat);
    const auto l = share_leaving(rule, w, at, v, pulling);
    a.within_by = l.within_by;
    a.leaving = l.leaving;
    a.text = fmt::format("{}: {}; {}", head(rule, cat, p, c, value, "min", min), fix,
                         leaving_text(rule, l, pulling));
    return a;
  }
  return share_close(rule, cat, p, c, value);
}

std::optional<Advice> posts_advice(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                                   const MetricValue& v) {
  const std::uint64_t posts = v.figures.posts();
  const double value = *v.value;
  const std::string head = fmt::format("{} {} in {}", posts, posts_word(posts), window_text(rule));
  if (rule.max && value > *rule.max) {
    const double max = *rule.max;
    const double days =
        std::chrono::duration<double, std::chrono::days::period>(rule.window).count();
    const double pace = static_cast<double>(posts) / days;
    Advice a = base(rule, value);
    a.limit = max;
    a.pace_per_day = max / days;
    std::uint64_t remaining = posts;
    for (const auto& b : posting_buckets(rule, w, at)) {
      remaining -= std::min(remaining, b.counts.total_posts());
      const TimePoint t = gone_at(rule, w, b.start);
      const double elapsed =
          std::chrono::duration<double, std::chrono::days::period>(t - at).count();
      if (!(static_cast<double>(remaining) + pace * elapsed > max)) {
        a.within_by = t;
        a.leaving = posts - remaining;
        break;
      }
    }
    const std::string then =
        a.within_by ? fmt::format("back within limits by {} ({} {} leave the window)",
                                  advice_day(*a.within_by), a.leaving, posts_word(a.leaving))
                    : std::string("it stays above the max");
    a.text = fmt::format(
        "{}, max {}: at most {} posts a day keep it within; at the current pace "
        "({} a day), {}",
        head, format_metric_value(rule.metric, max),
        format_metric_value(rule.metric, *a.pace_per_day), format_metric_value(rule.metric, pace),
        then);
    return a;
  }
  if (rule.min && value < *rule.min) {
    const double min = *rule.min;
    Advice a = base(rule, value);
    a.limit = min;
    const auto n =
        smallest([&](std::uint64_t k) { return !(static_cast<double>(posts + k) < min); },
                 min - static_cast<double>(posts));
    a.posts_needed = n.value_or(0);
    a.text = fmt::format("{}, min {}: {} more {} would be needed", head,
                         format_metric_value(rule.metric, min), a.posts_needed,
                         posts_word(a.posts_needed));
    return a;
  }
  return std::nullopt;
}

}  // namespace

std::string advice_day(TimePoint t) {
  return format_day(t);
}

std::optional<Advice> advise(const config::Rule& rule, const AccountWindows& w, TimePoint at,
                             const MetricValue& v) {
  if (!v.value || !std::isfinite(*v.value)) return std::nullopt;
  if (auto counted = share_category(rule.metric)) return share_advice(rule, w, at, v, *counted);
  if (rule.metric == config::Metric::posts) return posts_advice(rule, w, at, v);
  return std::nullopt;
}

}  // namespace kilter::pipeline

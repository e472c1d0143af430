// The demo scenario: the whole week is planned up front (a few thousand small
// records), sorted by delivery order, then rendered one event at a time.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "tools/loadgen/demo_cast.h"
#include "tools/loadgen/scenario.h"
#include "tools/loadgen/text.h"

namespace kilter::loadgen {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kMinuteMs = 60'000;

enum class EventKind : std::uint8_t { post, engagement, followers };

struct PlannedPost {
  std::uint32_t account;
  std::uint32_t number;  // per account, for the post id
  Category category;
  Lang lang;
  std::uint64_t text_seed;
  std::uint32_t text = 0;  // --texts: index into the (category, lang) pool of texts_
};

struct Planned {
  std::int64_t ts;       // event time, ms since the epoch
  std::int64_t key;      // delivery order: event time plus jitter
  std::uint32_t origin;  // duplicates share their original's origin (and id)
  std::uint32_t account;
  EventKind type;
  Action action = Action::like;
  std::uint32_t post = 0;   // index into posts_
  std::uint64_t value = 0;  // engagement count or followers
};

// Engagement slices after a post: [from, to) minutes, and the share of the total.
struct Slice {
  int from_min, to_min;
  double share;
};
constexpr Slice kSlices[] = {{3, 25, 0.38}, {30, 100, 0.30}, {120, 300, 0.20}, {360, 720, 0.12}};

class Demo final : public Generator::Impl {
 public:
  Demo(const GeneratorOptions& opts, Texts texts)
      : opts_(opts),
        cast_(demo_cast()),
        rng_(mix(opts.seed, 0xde30)),
        text_rng_(0),
        texts_(std::move(texts)) {
    start_ = epoch_ms(opts.start);
    end_ = start_ + opts.days * kDayMs;
    // One random stream per account and purpose: tuning one account of the cast
    // leaves the others' events as they were.
    for (std::uint32_t a = 0; a < cast_.size(); ++a) {
      rng_.reseed(mix(opts.seed, 2 * a));
      plan_posts(a);
      rng_.reseed(mix(opts.seed, 2 * a + 1));
      plan_followers(a);
    }
    rng_.reseed(mix(opts.seed, 0xde11));
    deliver();
  }

  bool next(std::string& out) override {
    if (cursor_ >= order_.size()) return false;
    const Planned& e = order_[cursor_];
    id_.clear();
    fmt::format_to(std::back_inserter(id_), "ev-{:06}", ids_[cursor_]);
    ++cursor_;
    const Persona& who = cast_[e.account].persona;
    auto ts = from_epoch_ms(e.ts);
    switch (e.type) {
      case EventKind::post: {
        const PlannedPost& p = posts_[e.post];
        if (!opts_.texts.empty()) {
          const TextPost& t = texts_.pool(p.category, p.lang)[p.text];
          write_post(out, id_, who.id, ts, p.number, t, p.lang, p.category, labels_of(opts_));
          break;
        }
        text_rng_.reseed(p.text_seed);
        compose(post_, who, p.lang, p.category, text_rng_);
        write_post(out, id_, who.id, ts, p.number, post_, labels_of(opts_));
        break;
      }
      case EventKind::engagement:
        write_engagement(out, id_, who.id, ts, posts_[e.post].number, e.action, e.value);
        break;
      case EventKind::followers:
        write_followers(out, id_, who.id, ts, static_cast<std::int64_t>(e.value));
        break;
    }
    return true;
  }

  // --texts: each planned post takes a post of its (category, language) pool, in
  // plan order (so a duplicate delivery carries its original's text), each pool
  // shuffled once with a stream of its own and cycled through. The plan itself,
  // engagement included, is the one the composed texts get.
  Result<void> assign_texts() {
    if (opts_.texts.empty()) return ok();
    std::size_t needed[kClassifiedCategories][kLangs] = {};
    for (const PlannedPost& p : posts_) {
      ++needed[static_cast<std::size_t>(p.category)][static_cast<std::size_t>(p.lang)];
    }
    std::string missing;
    std::vector<std::uint32_t> order[kClassifiedCategories][kLangs];
    for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
      for (std::size_t l = 0; l < kLangs; ++l) {
        auto category = static_cast<Category>(c);
        auto lang = static_cast<Lang>(l);
        auto n = texts_.pool(category, lang).size();
        if (needed[c][l] > 0 && n == 0) {
          fmt::format_to(std::back_inserter(missing), "{}{} in {} (needed by {} posts)",
                         missing.empty() ? "" : ", ", to_string(category), to_string(lang),
                         needed[c][l]);
        }
        auto& o = order[c][l];
        o.resize(n);
        for (std::uint32_t i = 0; i < n; ++i) o[i] = i;
        Rng rng(mix(opts_.seed, 0x7e475 + c * kLangs + l));
        for (std::size_t i = n; i > 1; --i) std::swap(o[i - 1], o[rng.below(i)]);
      }
    }
    if (!missing.empty()) {
      return Error{fmt::format("--texts: the files have no post labelled {}", missing)};
    }
    std::size_t cursor[kClassifiedCategories][kLangs] = {};
    for (PlannedPost& p : posts_) {
      auto c = static_cast<std::size_t>(p.category);
      auto l = static_cast<std::size_t>(p.lang);
      p.text = order[c][l][cursor[c][l]++ % order[c][l].size()];
    }
    return ok();
  }

 private:
  const Phase& phase_at(const DemoAccount& a, double day) const {
    const Phase* p = &a.phases.front();
    for (const Phase& ph : a.phases) {
      if (ph.from_day <= day) p = &ph;
    }
    return *p;
  }

  double followers_at(const DemoAccount& a, double day) const {
    double f = a.followers * std::pow(1.0 + a.growth_per_day, day);
    if (a.drop > 0 && day > a.drop_from_day) {
      double span = a.drop_to_day - a.drop_from_day;
      double done = span <= 0 ? 1.0 : std::min(1.0, (day - a.drop_from_day) / span);
      f *= 1.0 - a.drop * done;
    }
    return f;
  }

  double day_of(std::int64_t ts) const { return static_cast<double>(ts - start_) / kDayMs; }

  void add(Planned e) {
    e.origin = static_cast<std::uint32_t>(planned_.size());
    e.key = e.ts;
    planned_.push_back(e);
  }

  // Post times per day and phase, then categories chosen so that each phase's
  // running shares stay close to its mix: the demo's alerts come from the
  // drifts, not from an unlucky run of draws.
  void plan_posts(std::uint32_t ai) {
    const DemoAccount& a = cast_[ai];
    std::vector<std::int64_t> times;
    for (int d = 0; d < opts_.days; ++d) {
      double open = d + a.first_hour / 24.0;
      double close = d + a.last_hour / 24.0;
      for (std::size_t pi = 0; pi < a.phases.size(); ++pi) {
        double from = std::max(open, a.phases[pi].from_day);
        double to = pi + 1 < a.phases.size() ? std::min(close, a.phases[pi + 1].from_day) : close;
        if (to <= from) continue;
        double share = (to - from) / (close - open);
        auto n = rng_.around(a.phases[pi].posts_per_day * share, 0.3);
        for (std::uint64_t i = 0; i < n; ++i) {
          double day = rng_.uniform(from, to);
          times.push_back(start_ + static_cast<std::int64_t>(day * kDayMs) / 1000 * 1000);
        }
      }
    }
    std::sort(times.begin(), times.end());

    const Phase* current = nullptr;
    std::array<double, 3> counts{};
    double n = 0;
    std::uint32_t number = 0;
    for (auto ts : times) {
      const Phase& ph = phase_at(a, day_of(ts));
      if (&ph != current) {
        current = &ph;
        counts = {};
        n = 0;
      }
      std::size_t best = 0;
      double best_score = -1e9;
      for (std::size_t c = 0; c < 3; ++c) {
        if (ph.mix[c] <= 0) continue;
        double score = ph.mix[c] * (n + 1) - counts[c] + rng_.uniform(0, 0.4);
        if (score > best_score) {
          best_score = score;
          best = c;
        }
      }
      counts[best] += 1;
      n += 1;
      auto category = static_cast<Category>(best);
      Lang lang = a.persona.lang;
      if (rng_.chance(a.persona.other_lang)) lang = lang == Lang::en ? Lang::fr : Lang::en;
      PlannedPost post{ai, ++number, category, lang, rng_.bits()};
      auto index = static_cast<std::uint32_t>(posts_.size());
      posts_.push_back(post);
      add(Planned{ts, 0, 0, ai, EventKind::post, Action::like, index, 0});
      plan_engagement(a, ph, index, ts);
    }
  }

  void plan_engagement(const DemoAccount& a, const Phase& ph, std::uint32_t index,
                       std::int64_t ts) {
    const PlannedPost& p = posts_[index];
    // The same draws the rendering will make, to learn whether the post has a link.
    text_rng_.reseed(p.text_seed);
    compose(post_, a.persona, p.lang, p.category, text_rng_);
    bool link = !post_.link.empty();

    static constexpr double kPersonFactor[3] = {1.4, 1.0, 0.5};
    static constexpr double kBrandFactor[3] = {0.9, 1.0, 0.7};
    auto ci = static_cast<std::size_t>(p.category);
    double total = followers_at(a, day_of(ts)) * a.reach * ph.engagement *
                   (a.persona.person ? kPersonFactor[ci] : kBrandFactor[ci]) *
                   rng_.uniform(0.75, 1.25);
    struct Part {
      Action action;
      double share;
    };
    const Part parts[] = {{Action::like, 0.62},
                          {Action::repost, 0.12},
                          {Action::reply, 0.08},
                          {Action::quote, 0.02},
                          {Action::click, link ? 0.25 : 0.0},
                          {Action::impression, rng_.uniform(18, 30)}};
    for (const Slice& s : kSlices) {
      std::int64_t at =
          ts + rng_.between(s.from_min, s.to_min - 1) * kMinuteMs + rng_.between(0, 59) * 1000;
      if (at >= end_) break;
      for (const Part& part : parts) {
        auto count = rng_.around(total * part.share * s.share, 0.35);
        if (count == 0) continue;
        if (at >= end_) break;
        add(Planned{at, 0, 0, p.account, EventKind::engagement, part.action, index, count});
        at += rng_.between(1, 40) * 1000;
      }
    }
  }

  void plan_followers(std::uint32_t ai) {
    const DemoAccount& a = cast_[ai];
    std::int64_t offset = rng_.between(1, 25) * kMinuteMs;
    for (int d = 0; d < opts_.days; ++d) {
      for (int h = 0; h < 24; h += 6) {
        std::int64_t ts =
            start_ + d * kDayMs + h * 60 * kMinuteMs + offset + rng_.between(0, 299) * 1000;
        double f = followers_at(a, day_of(ts)) * rng_.uniform(0.9997, 1.0003);
        add(Planned{ts, 0, 0, ai, EventKind::followers, Action::like, 0,
                    static_cast<std::uint64_t>(std::llround(f))});
      }
    }
  }

  // Delivery order: each event a little late by up to max_jitter (within the
  // daemon's default allowed lateness), a few delivered twice.
  void deliver() {
    auto jitter = opts_.max_jitter.count();
    order_.reserve(planned_.size() + planned_.size() / 100);
    for (const Planned& e : planned_) {
      Planned d = e;
      d.key = e.ts + (jitter > 0 ? rng_.between(0, jitter) : 0);
      order_.push_back(d);
      if (rng_.chance(opts_.duplicate_rate)) {
        Planned dup = d;
        dup.key += rng_.between(1, 180) * 1000;
        order_.push_back(dup);
      }
    }
    std::stable_sort(order_.begin(), order_.end(), [](const Planned& x, const Planned& y) {
      return x.key != y.key ? x.key < y.key : x.origin < y.origin;
    });
    // Ids follow first delivery, so the file reads ev-000001, ev-000002, ...
    std::vector<std::uint32_t> id_of(planned_.size(), 0);
    std::uint32_t next_id = 0;
    ids_.reserve(order_.size());
    for (const Planned& e : order_) {
      if (id_of[e.origin] == 0) id_of[e.origin] = ++next_id;
      ids_.push_back(id_of[e.origin]);
    }
  }

  GeneratorOptions opts_;
  std::vector<DemoAccount> cast_;
  Rng rng_;
  Rng text_rng_;
  std::int64_t start_ = 0;
  std::int64_t end_ = 0;
  std::vector<PlannedPost> posts_;
  std::vector<Planned> planned_;
  std::vector<Planned> order_;
  std::vector<std::uint32_t> ids_;
  std::size_t cursor_ = 0;
  ComposedPost post_;
  std::string id_;
  Texts texts_;
};

}  // namespace

Result<std::unique_ptr<Generator::Impl>> make_demo(const GeneratorOptions& opts, Texts texts) {
  auto demo = std::make_unique<Demo>(opts, std::move(texts));
  if (auto r = demo->assign_texts(); !r) return r.error();
  return std::unique_ptr<Generator::Impl>(std::move(demo));
}

}  // namespace kilter::loadgen

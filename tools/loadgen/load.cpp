// The load scenario: a stream of a fixed number of events over many accounts
// whose activity follows a Zipf law. Nothing is planned ahead: each event is
// drawn when asked for, into buffers reused from one event to the next.
#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "tools/loadgen/scenario.h"
#include "tools/loadgen/text.h"

namespace kilter::loadgen {
namespace {

constexpr std::string_view kBrandWords[] = {"acme",   "globex", "initech", "vertex", "nimbus",
                                            "orbit",  "lumen",  "atlas",   "cobalt", "maple",
                                            "harbor", "zenith", "aurora",  "summit", "prairie"};
constexpr std::string_view kFirstNames[] = {"john",  "sarah", "david", "emma",  "marie",
                                            "luc",   "chloe", "karim", "paul",  "nina",
                                            "oscar", "ines",  "hugo",  "priya", "tom"};
constexpr std::string_view kProductSuffixes[] = {" One", " Plus", " Go"};

class Load final : public Generator::Impl {
 public:
  explicit Load(const GeneratorOptions& opts)
      : opts_(opts), rng_(mix(opts.seed, 0x10ad)), text_rng_(0), posts_(opts.accounts, 0) {
    // Cumulative Zipf weights: account k (0-based) is drawn with weight 1/(k+1)^s.
    cdf_.resize(opts.accounts);
    double sum = 0;
    for (std::uint64_t k = 0; k < opts.accounts; ++k) {
      sum += 1.0 / std::pow(static_cast<double>(k + 1), opts.zipf_exponent);
      cdf_[k] = sum;
    }
    for (auto& c : cdf_) c /= sum;
    start_ = epoch_ms(opts.start);
    span_ = opts.span > Millis{0} ? opts.span.count()
                                  : static_cast<std::int64_t>(opts.days) * 86'400'000;
  }

  bool next(std::string& out) override {
    if (emitted >= opts_.events) return false;
    if (!last_.empty() && rng_.chance(opts_.duplicate_rate)) {
      out.assign(last_);  // a redelivery: the very same message again
      last_.clear();      // never three times in a row
      return true;
    }
    auto n = ++drawn_;
    std::int64_t ts =
        start_ + static_cast<std::int64_t>(static_cast<double>(span_) * static_cast<double>(n - 1) /
                                           static_cast<double>(opts_.events));
    auto jitter = opts_.max_jitter.count();
    if (jitter > 0) ts = std::max(start_, ts - rng_.between(0, jitter) / 1000 * 1000);
    ts = ts / 1000 * 1000;
    auto at = from_epoch_ms(ts);

    std::uint64_t account = draw_account();
    persona_for(account);
    id_.clear();
    fmt::format_to(std::back_inserter(id_), "ld-{:09}", n);

    double r = rng_.uniform();
    auto& posts = posts_[account];
    if (r < 0.06) {
      auto day = static_cast<double>(ts - start_) / 86'400'000.0;
      auto base = 1'000.0 + static_cast<double>(mix(opts_.seed, account) % 200'000);
      auto followers = static_cast<std::int64_t>(std::llround(base * (1.0 + 0.001 * day)));
      write_followers(out, id_, persona_.id, at, followers);
    } else if (r < 0.22 || posts == 0) {
      ++posts;
      write_post_of(out, account, posts, at);
    } else {
      // Engagement on one of the account's latest posts.
      std::uint64_t back = rng_.below(std::min<std::uint64_t>(posts, 5));
      auto [action, lo, hi] = draw_action();
      write_engagement(out, id_, persona_.id, at, posts - back, action,
                       static_cast<std::uint64_t>(rng_.between(lo, hi)));
    }
    last_.assign(out);
    return true;
  }

 private:
  std::uint64_t draw_account() {
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng_.uniform());
    auto k = static_cast<std::uint64_t>(it - cdf_.begin());
    return std::min<std::uint64_t>(k, cdf_.size() - 1);
  }

  std::tuple<Action, std::int64_t, std::int64_t> draw_action() {
    double r = rng_.uniform();
    if (r < 0.30) return {Action::impression, 20, 500};
    if (r < 0.70) return {Action::like, 1, 40};
    if (r < 0.80) return {Action::click, 1, 12};
    if (r < 0.88) return {Action::repost, 1, 8};
    if (r < 0.96) return {Action::reply, 1, 6};
    return {Action::quote, 1, 3};
  }

  // The persona of account k, rebuilt in place (same strings, same capacity).
  void persona_for(std::uint64_t k) {
    std::uint64_t h = mix(opts_.seed ^ 0x9e55, k);
    auto word = kBrandWords[h % std::size(kBrandWords)];
    persona_.person = (h >> 8) % 4 == 0;
    persona_.lang = (h >> 12) % 2 == 0 ? Lang::en : Lang::fr;
    persona_.sector = (h >> 16) % 3 == 0 ? kTech : kConsumer;
    persona_.other_lang = 0;
    persona_.id.clear();
    if (persona_.person) {
      fmt::format_to(std::back_inserter(persona_.id), "exec-{}-{}",
                     kFirstNames[(h >> 20) % std::size(kFirstNames)], k);
    } else {
      fmt::format_to(std::back_inserter(persona_.id), "{}-{}", word, k);
    }
    persona_.company.assign(word);
    persona_.company[0] = static_cast<char>(persona_.company[0] - 'a' + 'A');
    persona_.domain.assign(word);
    persona_.domain += ".example";
    persona_.products.resize(std::size(kProductSuffixes));
    for (std::size_t i = 0; i < std::size(kProductSuffixes); ++i) {
      persona_.products[i].assign(persona_.company);
      persona_.products[i] += kProductSuffixes[i];
    }
  }

  void write_post_of(std::string& out, std::uint64_t account, std::uint64_t number, TimePoint at) {
    static constexpr double kBrand[3] = {0.05, 0.75, 0.20};
    static constexpr double kPerson[3] = {0.35, 0.60, 0.05};
    const double* mix_of = persona_.person ? kPerson : kBrand;
    double r = rng_.uniform();
    auto category = r < mix_of[0]               ? Category::personal
                    : r < mix_of[0] + mix_of[1] ? Category::professional
                                                : Category::promotional;
    text_rng_.reseed(mix(opts_.seed, account * 1'000'003 + number));
    compose(post_, persona_, persona_.lang, category, text_rng_);
    write_post(out, id_, persona_.id, at, number, post_, labels_of(opts_));
  }

  GeneratorOptions opts_;
  Rng rng_;
  Rng text_rng_;
  std::vector<double> cdf_;
  std::vector<std::uint32_t> posts_;  // posts so far per account
  std::int64_t start_ = 0;
  std::int64_t span_ = 0;
  std::uint64_t drawn_ = 0;  // events drawn (duplicates excluded)
  Persona persona_;
  ComposedPost post_;
  std::string id_;
  std::string last_;
};

}  // namespace

std::unique_ptr<Generator::Impl> make_load(const GeneratorOptions& opts) {
  return std::make_unique<Load>(opts);
}

}  // namespace kilter::loadgen

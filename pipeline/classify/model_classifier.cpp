// The Classifier port over a learned Model: featurize, predict, calibrate, explain.
// Buffers live in the classifier object, so a warmed-up classify() allocates nothing.

#include <algorithm>
#include <bit>
#include <cstring>

#include "pipeline/classify/features.h"
#include "pipeline/classify/model.h"

namespace kilter::pipeline {
namespace {

constexpr std::size_t kMaxMatched = 5;

}  // namespace

void append_readable(std::string_view t, std::string& out) {
  const auto open = readable_open(t);
  if (open.empty()) {
    out.append(t);
  } else {
    out.append(open).append(t.substr(2)).append("]");
  }
}

namespace {

// a == b, most unequal pairs settled by their size or first byte without a call.
inline bool same_token(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.data() == b.data() || a.empty() || (a[0] == b[0] && a.substr(1) == b.substr(1)));
}

class ModelClassifier final : public Classifier {
 public:
  ModelClassifier(std::shared_ptr<const Model> model, double min_confidence)
      : model_(std::move(model)), min_confidence_(min_confidence) {
    text_.resize(1024);
    keys_.reserve(512);
    weights_.reserve(512);
    picks_.reserve(512);
  }

  Classification classify(const Event& post, std::span<const std::string> brand_terms) override {
    if (post.category) return {*post.category, 1.0f, {}, true};
    auto tokens = featurizer_.run(post, brand_terms);
    auto logits = model_->logits(tokens, trace_, &cache_);
    auto p = model_->probabilities(logits);
    std::size_t best = 0;
    for (std::size_t c = 1; c < 3; ++c)
      if (p[c] > p[best]) best = c;
    Classification out;
    out.confidence = p[best];
    out.category =
        out.confidence < min_confidence_ ? Category::unclassified : kClassifiedCategoryList[best];
    out.matched = explain(tokens, best);
    return out;
  }

 private:
  // Up to kMaxMatched distinct tokens with the largest positive weight for `cls`: their
  // contribution to it minus the mean of their contributions to the other two.
  std::span<const std::string_view> explain(std::span<const std::string_view> tokens,
                                            std::size_t cls) {
    std::array<std::uint32_t, kMaxMatched> top{};  // tokens
    std::size_t n = 0;
    // The scores first, in a loop without data-dependent branches (the end-of-line word,
    // which is no token, is never picked). Only the positive ones are kept (in word
    // order), written always and counted when positive, each as one 64-bit key: the
    // score's bits (a positive float's bits order as the float does) above the
    // complement of its place, so that the largest key is the largest score, the first
    // of equal ones, and the largest of several keys needs no comparison of its own.
    const std::size_t all = trace_.words();
    if (keys_.size() < all + 4) {
      keys_.resize(all + 4);
      picks_.resize(all + 4);
      weights_.resize(all + 4);
    }
    std::uint64_t* const keys = keys_.data();
    trace_.weights(cls, weights_.data());  // a share for cls minus the mean of the others
    std::size_t words = 0;
    for (std::size_t w = 0; w < all; ++w) {
      const float score = weights_[w];
      keys[words] = (std::uint64_t{std::bit_cast<std::uint32_t>(score)} << 32) |
                    (0xFFFFFFFFu - static_cast<std::uint32_t>(words));
      picks_[words] = trace_.token(w);
      words += score > 0 && trace_.token(w) != LogitsTrace::kNoToken;
    }
    std::fill_n(keys + words, 4, std::uint64_t{0});  // no score: never the largest
    // Then the largest key left, a few times over; a token already picked (at a score as
    // high, and earlier) is passed over. The list is that of keeping, token after token,
    // a sorted list of the heaviest distinct tokens (a token's weight its largest score,
    // its place among equal weights the first word that reached it), without the
    // unpredictable branches of an insertion. Four maxima side by side: the comparisons
    // do not wait on each other.
    while (n < kMaxMatched) {
      std::uint64_t m0 = 0, m1 = 0, m2 = 0, m3 = 0;
      for (std::size_t w = 0; w < words; w += 4) {
        m0 = std::max(m0, keys[w]);
        m1 = std::max(m1, keys[w + 1]);
        m2 = std::max(m2, keys[w + 2]);
        m3 = std::max(m3, keys[w + 3]);
      }
      const std::uint64_t top_key = std::max(std::max(m0, m1), std::max(m2, m3));
      if (top_key == 0) break;
      const std::size_t best = 0xFFFFFFFFu - static_cast<std::uint32_t>(top_key);
      keys[best] = 0;  // taken
      const std::uint32_t i = picks_[best];
      bool seen = false;
      for (std::size_t k = 0; k < n; ++k) seen |= same_token(tokens[top[k]], tokens[i]);
      if (!seen) top[n++] = i;
    }
    // A word reads as it is: its view is the token itself (the featurizer's bytes stay
    // valid until the next classify(), as `matched` must). Only marker, host and path
    // tokens are rewritten (as append_readable() writes them), into text_, which only
    // grows: sized first, then written in place, without an append per piece.
    std::size_t need = 0;
    for (std::size_t k = 0; k < n; ++k) need += tokens[top[k]].size() + kMostReadableAdds;
    if (text_.size() < need) text_.resize(std::max(need, 2 * text_.size()));
    char* const out = text_.data();
    std::size_t at = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const auto t = tokens[top[k]];
      const std::string_view open = readable_open(t);
      if (open.empty()) {
        views_[k] = t;
        continue;
      }
      const std::size_t from = at;
      std::memcpy(out + at, open.data(), open.size());
      at += open.size();
      std::memcpy(out + at, t.data() + 2, t.size() - 2);
      at += t.size() - 2;
      out[at++] = ']';
      views_[k] = std::string_view(out + from, at - from);
    }
    return std::span<const std::string_view>(views_.data(), n);
  }

  struct Views {
    std::array<std::string_view, kMaxMatched> v;
    void clear() { v.fill({}); }
    std::string_view& operator[](std::size_t i) { return v[i]; }
    const std::string_view* data() const { return v.data(); }
  };

  std::shared_ptr<const Model> model_;
  double min_confidence_;
  Featurizer featurizer_;
  LogitsTrace trace_;
  std::vector<std::uint64_t> keys_;   // the positive scores of trace_'s words (explain())
  std::vector<std::uint32_t> picks_;  // and their tokens
  std::vector<float> weights_;        // trace_'s words' weights (explain())
  NgramCache cache_;
  std::string text_;
  Views views_;
};

}  // namespace

Result<std::unique_ptr<Classifier>> make_model_classifier(std::shared_ptr<const Model> model,
                                                          const ClassifierOptions& opts) {
  if (!model) return Error{"no model given"};
  if (!(opts.min_confidence >= 0 && opts.min_confidence <= 1))
    return Error{"min_confidence must be between 0 and 1"};
  return std::unique_ptr<Classifier>(
      std::make_unique<ModelClassifier>(std::move(model), opts.min_confidence));
}

}  // namespace kilter::pipeline

// Post -> the feature tokens the learned model reads (and `kilterd train` writes for
// fastText): the normalised words of the text, hashtags split into words, and marker
// tokens for what a post offers beyond its words (its kind, links and their hosts,
// mentions, prices, percentages, codes, emoji, the account's brand terms).
//
// Training and classification go through this one function, so the model always sees
// the tokens it was trained on. A token never contains whitespace; marker tokens start
// with "__" (e.g. "__kind_reply", "__price"), which no word token does.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pipeline/model/event.h"

namespace kilter::pipeline {

// Which feature families run() produces (all on by default), so that each can be
// measured on the dev split. docs/classifier.md "Features the model reads" lists the
// tokens of each.
struct FeatureOptions {
  bool words = true;     // the normalised words of the text
  bool numbers = true;   // a number is "__num" (off: its digits, as normalize() writes them)
  bool symbols = true;   // emoji and other symbols, each its own token
  bool hashtags = true;  // "__hashtag", the tag's words, the tag as one word
  bool mentions = true;  // "__mention", the handle's words
  bool links = true;     // "__link", "h:" host labels, "p:" path words
  bool prices = true;    // "__price", "__pct"
  bool codes = true;     // "__code"
  bool kind = true;      // "__kind_reply"...
  bool lang = true;      // "__lang_fr"...
  bool brand = true;     // "__brand"
  bool emphasis = true;  // "__excl", "__short"
  // Not a family: also keep the digits of a one- or two-digit number after its "__num"
  // ("2-for-1" -> __num 2 for __num 1). Off by default.
  bool small_number_values = false;
};

class Featurizer {
 public:
  Featurizer();
  explicit Featurizer(const FeatureOptions& options);
  ~Featurizer();
  Featurizer(const Featurizer&) = delete;
  Featurizer& operator=(const Featurizer&) = delete;

  // The tokens of `post`, in reading order. `brand_terms` are normalised (normalize_terms).
  // The views stay valid until the next run(); a warmed-up Featurizer does not allocate.
  std::span<const std::string_view> run(const Event& post,
                                        std::span<const std::string> brand_terms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kilter::pipeline

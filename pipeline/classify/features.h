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

class Featurizer {
 public:
  Featurizer();
  ~Featurizer();
  Featurizer(const Featurizer&) = delete;
  Featurizer& operator=(const Featurizer&) = delete;

  // The tokens of `post`, in reading order. `brand_terms` are normalised (normalize_terms).
  // The views stay valid until the next run(); a warmed-up Featurizer does not allocate.
  std::span<const std::string_view> run(const Event& post, std::span<const std::string> brand_terms);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kilter::pipeline

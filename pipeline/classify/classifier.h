// Post -> category. A trusted `category` wins; otherwise a lexicon classifier
// (shipped EN and FR lexicons, per-account brand terms) decides.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "pipeline/model/event.h"

namespace kilter::pipeline {

struct Classification {
  Category category = Category::unclassified;
  float confidence = 0;  // 0..1; 1 for a trusted category
  // Matched terms, normalised (lower case, no accents), most weighty first. A view
  // into the classifier's storage valid until the next classify().
  std::span<const std::string_view> matched;
  bool trusted = false;
};

struct ClassifierOptions {
  std::vector<std::string> languages = {"en", "fr"};
  std::vector<std::string> extra_lexicon_files;
  double min_confidence = 0.0;
};

class Classifier {
 public:
  virtual ~Classifier() = default;
  // brand_terms: the account's professional vocabulary (normalised by the caller
  // with normalize_terms(), so that no work is repeated per post).
  virtual Classification classify(const Event& post, std::span<const std::string> brand_terms) = 0;
};

// Lower-case, accent-free, NFKC form used for every comparison.
std::string normalize(std::string_view text);
std::vector<std::string> normalize_terms(std::span<const std::string> terms);

Result<std::unique_ptr<Classifier>> make_lexicon_classifier(const ClassifierOptions& opts);

// The lexicons compiled into the binary: (name, text), name "en", "fr" or "common".
std::span<const std::pair<std::string_view, std::string_view>> shipped_lexicons();

}  // namespace kilter::pipeline

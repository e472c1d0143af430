// Multinomial logistic regression over sparse features, fitted by L-BFGS: the trainer's
// alternative to fastText's SGD (TrainOptions::solver). The features are the very rows
// fastText's dictionary gives a line (word, character n-grams, word n-gram buckets, each
// weighted 1/len), so the fitted weights are the model file's class contributions as they
// are: same file, same inference. Internal to pipeline/train.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace kilter::pipeline {

// Examples in compressed rows: example i has features [offsets[i], offsets[i+1]).
struct SparseSet {
  std::vector<std::uint32_t> offsets{0};
  std::vector<std::uint32_t> ids;  // feature (model row) ids
  std::vector<float> values;
  std::vector<std::uint8_t> labels;  // 0..2
  std::vector<float> weights;        // per example; the loss is their weighted mean
  std::size_t size() const { return labels.size(); }
};

struct LogisticOptions {
  double l2 = 1e-6;  // λ in mean NLL + λ/2 ||W||²
  int max_iterations = 500;
  double tolerance = 1e-7;  // stop when the largest gradient component falls below it
  int history = 10;         // L-BFGS memory
};

struct LogisticFit {
  std::vector<double> weights;  // rows × 3, row-major
  int iterations = 0;
  double loss = 0;  // the objective at the end
  bool converged = false;
};

// Minimises the weighted mean negative log-likelihood of softmax(Σ value·W[id]) plus the L2 term.
// Deterministic: the same set gives the same weights. `progress` gets one line now and then.
LogisticFit fit_logistic(const SparseSet& set, std::size_t rows, const LogisticOptions& o,
                         const std::function<void(std::string_view)>& progress = {});

}  // namespace kilter::pipeline

// The solvers and the export into Kilter's model file. See pipeline/train/README.md
// ("How a model is trained", steps 3 and 4).
#include "pipeline/train/fit.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <memory>

#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fmt/format.h>

#include "pipeline/train/fasttext_args.h"
#include "pipeline/train/logistic.h"

namespace kilter::pipeline {
namespace {

// The class (Category order) of each of the dictionary's three labels.
Result<std::array<std::size_t, 3>> label_classes(const fasttext::Dictionary& dict) {
  if (dict.nlabels() != 3) return Error{"train: the data holds other than 3 labels"};
  std::array<std::size_t, 3> cls{};
  std::array<bool, 3> found{};
  for (std::int32_t j = 0; j < 3; ++j) {
    const std::string label = dict.getLabel(j);
    auto name = std::string_view(label).substr(std::min(label.size(), kLabelPrefix.size()));
    auto c = parse_category(name);
    auto k = c ? class_index(*c) : 3;
    if (k >= 3) return Error{fmt::format("train: unexpected label {}", name)};
    cls[static_cast<std::size_t>(j)] = k;
    found[k] = true;
  }
  if (!found[0] || !found[1] || !found[2]) return Error{"train: a class is missing from the model"};
  return cls;
}

// The model file's data from a dictionary and the class contributions of its input rows
// (`row(r)`, r < nwords + bucket): a word's record sums its own row and its character
// n-gram rows (getSubwords) and keeps their count; buckets are stored as they are.
template <class Row>
ModelData export_rows(const fasttext::Dictionary& dict, const TrainOptions& o, Row row) {
  ModelData m;
  m.minn = o.maxn > 0 ? o.minn : 0;
  m.maxn = o.maxn;
  m.word_ngrams = o.word_ngrams;
  m.bucket = static_cast<std::uint32_t>(o.bucket);
  m.info = o.info;
  const std::int32_t nwords = dict.nwords();
  for (std::int32_t i = 0; i < nwords; ++i) {
    const auto& rows = dict.getSubwords(i);
    std::array<double, 3> sum{};
    for (auto r : rows) {
      auto s = row(r);
      for (std::size_t c = 0; c < 3; ++c) sum[c] += s[c];
    }
    m.words.push_back(dict.getWord(i));
    m.word_contrib.push_back(
        {static_cast<float>(sum[0]), static_cast<float>(sum[1]), static_cast<float>(sum[2])});
    m.word_rows.push_back(static_cast<std::uint32_t>(rows.size()));
  }
  m.bucket_contrib.reserve(m.bucket);
  for (std::int64_t b = 0; b < o.bucket; ++b) {
    auto s = row(nwords + b);
    m.bucket_contrib.push_back(
        {static_cast<float>(s[0]), static_cast<float>(s[1]), static_cast<float>(s[2])});
  }
  return m;
}

// fastText's matrices: a row's contribution to class c is B[c] · row (in double).
Result<ModelData> export_fasttext(const fasttext::FastText& ft, const TrainOptions& o) {
  auto dict = ft.getDictionary();
  auto in = ft.getInputMatrix();
  auto out = ft.getOutputMatrix();
  auto cls = label_classes(*dict);
  if (!cls.ok()) return cls.error();
  if (out->rows() != 3) return Error{"train: fastText saw other than 3 labels"};
  if (in->rows() != std::int64_t{dict->nwords()} + o.bucket)
    return Error{"train: unexpected input matrix"};
  std::array<std::int64_t, 3> row_of{};  // output row of each class, Category order
  for (std::size_t j = 0; j < 3; ++j) row_of[(*cls)[j]] = static_cast<std::int64_t>(j);
  const std::int64_t dim = in->cols();
  return export_rows(*dict, o, [&](std::int64_t r) {
    std::array<double, 3> s{};
    for (std::size_t c = 0; c < 3; ++c)
      for (std::int64_t k = 0; k < dim; ++k)
        s[c] += double{out->at(row_of[c], k)} * double{in->at(r, k)};
    return s;
  });
}

// Logistic regression on fastText's own features: the dictionary (vocabulary, character
// n-grams, word n-gram buckets) read from the same file, each line's rows weighted
// 1/len as fastText averages them, then L-BFGS (logistic.h).
Result<ModelData> fit_logistic_model(const std::string& path, const TrainOptions& o,
                                     const std::vector<float>& weights, const TrainCallbacks& cb,
                                     TrainReport* report) {
  auto args = std::make_shared<fasttext::Args>(fasttext_args(o, path));
  fasttext::Dictionary dict(args);
  SparseSet set;
  try {
    std::ifstream f(path, std::ios::binary);
    dict.readFromFile(f);
    auto cls = label_classes(dict);
    if (!cls.ok()) return cls.error();
    std::ifstream g(path, std::ios::binary);
    std::vector<std::int32_t> words, labels;
    std::vector<std::uint32_t> sorted;
    set.weights = weights;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      dict.getLine(g, words, labels);
      if (labels.empty()) return Error{fmt::format("train: line {} has no label", i + 1)};
      // fastText averages the rows with repeats: a row seen k times weighs k/len.
      sorted.assign(words.begin(), words.end());
      std::sort(sorted.begin(), sorted.end());
      const float inv = sorted.empty() ? 0.0f : 1.0f / static_cast<float>(sorted.size());
      for (std::size_t j = 0; j < sorted.size();) {
        std::size_t k = j;
        while (k < sorted.size() && sorted[k] == sorted[j]) ++k;
        set.ids.push_back(sorted[j]);
        set.values.push_back(static_cast<float>(k - j) * inv);
        j = k;
      }
      set.offsets.push_back(static_cast<std::uint32_t>(set.ids.size()));
      set.labels.push_back(static_cast<std::uint8_t>((*cls)[static_cast<std::size_t>(labels[0])]));
    }
  } catch (const std::exception& e) {
    return Error{fmt::format("train: fastText's dictionary: {}", e.what())};
  }
  const std::size_t rows =
      static_cast<std::size_t>(dict.nwords()) + static_cast<std::size_t>(o.bucket);
  LogisticOptions lo;
  lo.l2 = o.l2;
  lo.max_iterations = o.iterations;
  auto fitted = fit_logistic(set, rows, lo, cb.progress);
  if (report) {
    report->iterations = fitted.iterations;
    report->objective = fitted.loss;
    report->converged = fitted.converged;
  }
  if (cb.progress)
    cb.progress(fmt::format("logistic: {} iterations{}, objective {:.6f}", fitted.iterations,
                            fitted.converged ? " (converged)" : "", fitted.loss));
  const auto& w = fitted.weights;
  return export_rows(dict, o, [&](std::int64_t r) {
    const auto at = static_cast<std::size_t>(r) * 3;
    return std::array<double, 3>{w[at], w[at + 1], w[at + 2]};
  });
}

}  // namespace

Result<ModelData> fit_file(const std::string& path, const std::vector<float>& weights,
                           const TrainOptions& o, const TrainCallbacks& cb, TrainReport* report) {
  if (o.solver == Solver::logistic) return fit_logistic_model(path, o, weights, cb, report);
  fasttext::FastText ft;
  try {
    ft.train(fasttext_args(o, path));
  } catch (const std::exception& e) {
    return Error{fmt::format("train: fastText: {}", e.what())};
  }
  return export_fasttext(ft, o);
}

}  // namespace kilter::pipeline

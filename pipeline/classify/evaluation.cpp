#include "pipeline/classify/evaluation.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace kilter::pipeline {

namespace {
double ratio(std::size_t a, std::size_t b) {
  return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
}
}  // namespace

std::string_view utf8_prefix(std::string_view s, std::size_t n) {
  std::size_t i = 0, chars = 0;
  while (i < s.size() && chars < n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++chars;
  }
  return s.substr(0, i);
}

void Evaluation::add(Category label, Category predicted, float confidence,
                     std::optional<std::string_view> group, std::string_view id,
                     std::string_view text, bool use_groups) {
  const auto l = static_cast<std::size_t>(label);
  const auto p = static_cast<std::size_t>(predicted);
  if (l >= kClassifiedCategories || p >= kCategories) std::abort();  // caller's invariant
  const bool hit = l == p;
  ++totals_.evaluated;
  totals_.correct += hit;
  ++totals_.confusion[l][p];
  if (predicted == Category::unclassified) {
    ++totals_.unclassified;
  } else {
    const double c = std::clamp(static_cast<double>(confidence), 0.0, 1.0);
    const auto b = std::min(kCalibrationBins - 1, static_cast<std::size_t>(c * kCalibrationBins));
    ++totals_.calibration[b].count;
    totals_.calibration[b].correct += hit;
    confidence_sum_[b] += c;
    ++totals_.calibrated;
  }
  if (use_groups) {
    std::string_view key = group ? *group : kNoGroup;
    auto it = groups_.find(key);
    if (it == groups_.end()) it = groups_.emplace(std::string(key), Group{}).first;
    auto& g = it->second;
    ++g.count;
    g.correct += hit;
    ++g.support[l];
    g.hits[l] += hit;
  }
  const std::size_t seq = seq_++;
  if (hit || max_mistakes_ == 0) return;
  auto before = [](const std::pair<std::size_t, Mistake>& a,
                   const std::pair<std::size_t, Mistake>& b) {
    if (a.second.confidence != b.second.confidence)
      return a.second.confidence > b.second.confidence;
    return a.first < b.first;
  };
  std::pair<std::size_t, Mistake> m{seq,
                                    Mistake{std::string(id), label, predicted, confidence,
                                            std::string(utf8_prefix(text, kMistakeTextChars))}};
  if (worst_.size() == max_mistakes_ && !before(m, worst_.back())) return;
  worst_.insert(std::upper_bound(worst_.begin(), worst_.end(), m, before), std::move(m));
  if (worst_.size() > max_mistakes_) worst_.pop_back();
}

EvaluationReport Evaluation::report() const {
  EvaluationReport r = totals_;
  r.accuracy = ratio(r.correct, r.evaluated);
  for (std::size_t c = 0; c < kClassifiedCategories; ++c) {
    auto& f = r.classes[c];
    for (std::size_t p = 0; p < kCategories; ++p) f.support += r.confusion[c][p];
    for (std::size_t l = 0; l < kClassifiedCategories; ++l) f.predicted += r.confusion[l][c];
    f.correct = r.confusion[c][c];
    f.precision = ratio(f.correct, f.predicted);
    f.recall = ratio(f.correct, f.support);
    f.f1 =
        f.precision + f.recall == 0 ? 0.0 : 2 * f.precision * f.recall / (f.precision + f.recall);
  }
  for (const auto& [value, g] : groups_) {
    GroupFigures gf;
    gf.value = value;
    gf.count = g.count;
    gf.correct = g.correct;
    gf.accuracy = ratio(g.correct, g.count);
    gf.support = g.support;
    for (std::size_t c = 0; c < kClassifiedCategories; ++c)
      gf.recall[c] = ratio(g.hits[c], g.support[c]);
    r.groups.push_back(std::move(gf));
  }
  for (const auto& [seq, m] : worst_) r.worst.push_back(m);
  for (std::size_t b = 0; b < kCalibrationBins; ++b) {
    auto& bin = r.calibration[b];
    bin.lo = static_cast<double>(b) / kCalibrationBins;
    bin.hi = static_cast<double>(b + 1) / kCalibrationBins;
    bin.accuracy = ratio(bin.correct, bin.count);
    bin.mean_confidence =
        bin.count == 0 ? 0.0 : confidence_sum_[b] / static_cast<double>(bin.count);
    r.ece += ratio(bin.count, r.calibrated) * std::abs(bin.accuracy - bin.mean_confidence);
  }
  r.coverage = ratio(r.evaluated - r.unclassified, r.evaluated);
  r.classified_accuracy = ratio(r.correct, r.evaluated - r.unclassified);
  return r;
}

}  // namespace kilter::pipeline

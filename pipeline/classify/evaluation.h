// The figures of a classifier evaluation (`kilterd classify --eval`): labelled
// posts and their predictions in, accuracy, per-class precision/recall/F1, a
// confusion matrix, a breakdown by group and the worst mistakes out. Pure: no
// I/O, no classifier; the caller classifies and adds each outcome.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace kilter::pipeline {

// Precision with nothing predicted in a class, recall with no support, and F1
// when both are 0 are reported as 0.
struct ClassFigures {
  std::size_t support = 0;    // posts labelled with the class
  std::size_t predicted = 0;  // posts predicted as the class
  std::size_t correct = 0;
  double precision = 0, recall = 0, f1 = 0;
};

struct GroupFigures {
  std::string value;  // "(none)" for the posts without the field
  std::size_t count = 0, correct = 0;
  double accuracy = 0;
  std::array<std::size_t, kClassifiedCategories> support{};  // by label
  std::array<double, kClassifiedCategories> recall{};
};

struct Mistake {
  std::string id;
  Category label = Category::personal;
  Category predicted = Category::unclassified;
  float confidence = 0;
  std::string text;  // the first kMistakeTextChars characters (UTF-8 code points)
};

// Posts predicted with a confidence in [lo, hi) ([0.9, 1] for the last bin): how often
// they were right. A calibrated classifier has accuracy close to mean_confidence.
struct CalibrationBin {
  double lo = 0, hi = 0;
  std::size_t count = 0, correct = 0;
  double mean_confidence = 0, accuracy = 0;
};
inline constexpr std::size_t kCalibrationBins = 10;

struct EvaluationReport {
  std::size_t evaluated = 0, correct = 0;
  double accuracy = 0;
  // confusion[label][predicted]; predicted includes Category::unclassified.
  std::array<std::array<std::size_t, kCategories>, kClassifiedCategories> confusion{};
  std::array<ClassFigures, kClassifiedCategories> classes{};
  std::vector<GroupFigures> groups;  // by value, "(none)" where it sorts; empty without groups
  std::vector<Mistake> worst;        // highest confidence first; ties in the order added
  // Over the posts given a class (not unclassified, not trusted): reliability by
  // confidence bin and the expected calibration error, sum(count/N * |acc - conf|).
  std::array<CalibrationBin, kCalibrationBins> calibration{};
  std::size_t calibrated = 0;  // N
  double ece = 0;
  std::size_t unclassified = 0;
  double coverage = 0;             // share of posts given a class
  double classified_accuracy = 0;  // accuracy over the posts given a class
};

inline constexpr std::size_t kMistakeTextChars = 80;
inline constexpr std::string_view kNoGroup = "(none)";

class Evaluation {
 public:
  explicit Evaluation(std::size_t max_mistakes = 10) : max_mistakes_(max_mistakes) {}

  // label must be a classified category (personal, professional, promotional).
  // group: the value of the --by field, nullopt when the post has none; groups
  // are reported only when at least one add() passed use_groups = true.
  void add(Category label, Category predicted, float confidence,
           std::optional<std::string_view> group, std::string_view id, std::string_view text,
           bool use_groups = true);

  EvaluationReport report() const;

 private:
  struct Group {
    std::size_t count = 0, correct = 0;
    std::array<std::size_t, kClassifiedCategories> support{}, hits{};
  };
  std::size_t max_mistakes_;
  std::size_t seq_ = 0;
  EvaluationReport totals_;
  std::map<std::string, Group, std::less<>> groups_;
  std::array<double, kCalibrationBins> confidence_sum_{};
  // Kept bounded: the best max_mistakes_ so far, ordered (confidence desc, seq asc).
  std::vector<std::pair<std::size_t, Mistake>> worst_;
};

// The first n code points of a UTF-8 string (never cuts a sequence in two).
std::string_view utf8_prefix(std::string_view s, std::size_t n);

}  // namespace kilter::pipeline

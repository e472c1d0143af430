// The fit behind train(): a solvers' input file ("__label__CLASS tok tok ..." lines) ->
// the model file's data, by logistic regression over fastText's dictionary's rows or by
// fastText itself. Internal to pipeline/train; fastText's types stay in fit.cpp.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pipeline/classify/model.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {

inline constexpr std::string_view kLabelPrefix = "__label__";

// 0..2 for the three classes, 3 (not a class) for unclassified.
inline std::size_t class_index(Category c) {
  return static_cast<std::size_t>(c);
}

// Fits `o.solver` on the file at `path`, whose line i weighs weights[i] (logistic only;
// fastText weighs every line 1), and exports the model. `report`, if given, gets the
// logistic fit's iterations, objective and convergence.
Result<ModelData> fit_file(const std::string& path, const std::vector<float>& weights,
                           const TrainOptions& o, const TrainCallbacks& cb, TrainReport* report);

}  // namespace kilter::pipeline

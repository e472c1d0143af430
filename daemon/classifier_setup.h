// The classifier a configuration describes: the learned model (a model file, or the one
// shipped in the binary) or the lexicons alone. Shared by `kilterd run` (start and
// reload) and `kilterd classify`.
#pragma once

#include <memory>

#include "common/result.h"
#include "config/config.h"
#include "pipeline/classify/classifier.h"

namespace kilter::daemon {

// Errors: the model file is missing, unreadable or not a model; a lexicon is invalid;
// this kilterd carries no shipped model (the bootstrap build) and none is configured.
Result<std::unique_ptr<pipeline::Classifier>> make_classifier(const config::ClassifierConfig& c);

}  // namespace kilter::daemon

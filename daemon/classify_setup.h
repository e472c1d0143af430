// What `kilterd classify` and `kilterd classify --eval` share: the configuration
// and the classifier it describes.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "pipeline/classify/classifier.h"

namespace kilter::daemon {

struct ClassifySetup {
  config::Config cfg;
  std::unique_ptr<pipeline::Classifier> classifier;
};

// Errors are printed on stderr; nullopt means exit kExitConfig.
std::optional<ClassifySetup> classify_setup(const std::string& config_path);

}  // namespace kilter::daemon

#include "daemon/classifier_setup.h"

#include "pipeline/classify/model.h"
#include "pipeline/classify/shipped_model.h"

namespace kilter::daemon {

namespace {

// The shipped model is parsed once per process: every reload shares it.
Result<std::shared_ptr<const pipeline::Model>> shipped_model() {
  static const auto loaded = []() -> Result<std::shared_ptr<const pipeline::Model>> {
    auto bytes = pipeline::shipped_model_bytes();
    if (bytes.empty())
      return Error{"this kilterd carries no shipped model: set classifier.model to a file "
                   "written by kilterd train"};
    auto m = pipeline::Model::load(bytes);
    if (!m.ok()) return Error{"the shipped model is invalid: " + m.error().message};
    return std::make_shared<const pipeline::Model>(std::move(*m));
  }();
  return loaded;
}

}  // namespace

Result<std::unique_ptr<pipeline::Classifier>> make_classifier(const config::ClassifierConfig& c) {
  pipeline::ClassifierOptions o;
  o.languages = c.languages;
  o.extra_lexicon_files = c.extra_lexicons;
  o.min_confidence = c.effective_min_confidence();
  if (c.method == config::ClassifierMethod::lexicon) return pipeline::make_lexicon_classifier(o);
  std::shared_ptr<const pipeline::Model> model;
  if (c.model.empty()) {
    auto m = shipped_model();
    if (!m.ok()) return m.error();
    model = *m;
  } else {
    // Read again on every call, so that SIGHUP picks up a retrained file.
    auto m = pipeline::Model::load_file(c.model);
    if (!m.ok()) return Error{"classifier.model: " + m.error().message};
    model = std::make_shared<const pipeline::Model>(std::move(*m));
  }
  return pipeline::make_model_classifier(std::move(model), o);
}

}  // namespace kilter::daemon

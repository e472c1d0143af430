// The scenarios behind Generator; internal to the library.
#pragma once

#include <memory>
#include <string>

#include "tools/loadgen/generator.h"
#include "tools/loadgen/text.h"
#include "tools/loadgen/texts.h"

namespace kilter::loadgen {

struct Generator::Impl {
  virtual ~Impl() = default;
  virtual bool next(std::string& out) = 0;
  std::uint64_t emitted = 0;
};

// `texts`: the posts of GeneratorOptions::texts, loaded (empty when there are none);
// an error when the plan needs a (category, language) they lack.
Result<std::unique_ptr<Generator::Impl>> make_demo(const GeneratorOptions& opts, Texts texts);
std::unique_ptr<Generator::Impl> make_load(const GeneratorOptions& opts);

inline Labels labels_of(const GeneratorOptions& opts) {
  return Labels{opts.label_field, opts.trusted_labels};
}

}  // namespace kilter::loadgen

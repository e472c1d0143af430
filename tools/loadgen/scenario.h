// The scenarios behind Generator; internal to the library.
#pragma once

#include <memory>
#include <string>

#include "tools/loadgen/generator.h"

namespace kilter::loadgen {

struct Generator::Impl {
  virtual ~Impl() = default;
  virtual bool next(std::string& out) = 0;
  std::uint64_t emitted = 0;
};

std::unique_ptr<Generator::Impl> make_demo(const GeneratorOptions& opts);
std::unique_ptr<Generator::Impl> make_load(const GeneratorOptions& opts);

}  // namespace kilter::loadgen

// The model shipped inside kilterd: trained at build time by `kilterd train` on the
// corpus's train split and calibrated on its dev split (daemon/CMakeLists.txt), then
// embedded in the binary, so that no install path is needed to find it.
#pragma once

#include <cstddef>
#include <span>

namespace kilter::pipeline {

// The model file's bytes; empty in the bootstrap kilterd that trains the shipped model.
// Defined by the library the executable links (kilter_shipped_model or kilter_no_model).
std::span<const std::byte> shipped_model_bytes();

}  // namespace kilter::pipeline

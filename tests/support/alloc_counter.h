// Counts every allocation of the test binary that links tests/support/alloc_counter.cpp
// (it replaces the global operator new), to prove that warmed-up code allocates nothing.
#pragma once

#include <cstddef>

namespace kilter::test_support {

std::size_t allocations();  // since the process started

}  // namespace kilter::test_support

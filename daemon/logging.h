#pragma once

#include <string>

namespace kilter::daemon {
// stderr logging at the given level ("info" when empty or unknown).
void setup_logging(const std::string& level);
}  // namespace kilter::daemon

#pragma once

#include <string>

namespace kilter::daemon {
// To the journal when stderr is connected to it (running under systemd), else to
// stderr; at `level` (info when empty or unknown).
void setup_logging(const std::string& level);
// A new level for the running logger (configuration reload).
void set_log_level(const std::string& level);
}  // namespace kilter::daemon

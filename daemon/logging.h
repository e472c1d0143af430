#pragma once

#include <map>
#include <string>

namespace kilter::daemon {
// To the journal when stderr is connected to it (running under systemd), else to
// stderr; at `level` (info when empty or unknown).
void setup_logging(const std::string& level);
// A new level for the running logger (configuration reload).
void set_log_level(const std::string& level);
// From now on every log line shows `to` in place of each `from` (the values
// ${VAR} references expanded to, shown as the references): librdkafka and other
// libraries echo configuration values in their messages. Values shorter than 4
// bytes are left alone (they would mangle every line).
void set_redactions(const std::map<std::string, std::string>& from_to);
// The same replacements on a text printed elsewhere (check-config's output).
std::string redact(std::string text);
}  // namespace kilter::daemon

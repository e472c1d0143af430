// The alert record's serialisations at the edge: the SPEC JSON line (file,
// webhook and Kafka sinks, the outbox's stored form) and the log sink's line.
#pragma once

#include <string>

#include "pipeline/model/alert.h"

namespace kilter::pipeline {

// One line of JSON shaped as SPEC section 3; extra keys (profile, severity) last.
std::string to_json(const AlertRecord& r);

// FIRING  acme  brand-on-topic  personal share 42% over 7d (max 10%)  [21 personal / ...]
std::string to_text(const AlertRecord& r);

}  // namespace kilter::pipeline

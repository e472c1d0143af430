// Which alerts a matcher (of a route, a mute window or an inhibition) applies
// to, and the sinks an alert goes to. The configuration says what the routes
// are (config/: parsing and validation); deciding where an alert goes is rule
// logic, here.
#pragma once

#include <string>
#include <vector>

#include "common/types.h"
#include "config/config.h"

namespace kilter::pipeline {

// The account part of a matcher: its account glob and profile, each when set
// (a digest's `match` has only these).
bool matches_account(const config::AlertMatcher& m, AccountRef account, ProfileRef profile);

// Every field the matcher sets matches the alert; an empty matcher matches every alert.
bool matches(const config::AlertMatcher& m, AccountRef account, ProfileRef profile,
             const config::Rule& rule);

// The sinks an alert goes to: the first matching route's (and those after it
// while a route says `continue`), else default_sinks, else every sink. Each
// sink once, in the order the routes name them.
std::vector<std::string> route(const config::Config& c, AccountRef account, ProfileRef profile,
                               const config::Rule& rule);

}  // namespace kilter::pipeline

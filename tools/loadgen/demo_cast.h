// The demo's cast: ~20 accounts over one week, most of them healthy, a few
// drifting on purpose so that the demo configuration raises known alerts.
#pragma once

#include <array>
#include <vector>

#include "tools/loadgen/persona.h"

namespace kilter::loadgen {

// From `from_day` (days since the start, fractions allowed) until the next phase.
struct Phase {
  double from_day = 0;
  double posts_per_day = 3;
  std::array<double, 3> mix = {0, 0.78, 0.22};  // personal, professional, promotional
  double engagement = 1.0;                      // multiplier on the engagement posts earn
};

struct DemoAccount {
  Persona persona;
  double followers = 10'000;  // at the start
  double growth_per_day = 0.002;
  double reach = 0.004;       // interactions per post per follower
  std::vector<Phase> phases;  // ascending; the first starts at day 0
  // Followers lost (a share of the count) linearly between two days; 0: none.
  double drop = 0;
  double drop_from_day = 0;
  double drop_to_day = 0;
  int first_hour = 7;  // posting hours, UTC
  int last_hour = 22;
};

std::vector<DemoAccount> demo_cast();

}  // namespace kilter::loadgen

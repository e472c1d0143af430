// Noise control: which rule transitions are told to the sinks (mute windows,
// inhibitions), and the limits a rule has while a campaign of the account runs.
// Pure functions of the configuration and the evaluation time.
#pragma once

#include <span>
#include <vector>

#include "common/types.h"
#include "config/config.h"
#include "pipeline/model/alert.h"

namespace kilter::pipeline {

class NoiseControl {
 public:
  explicit NoiseControl(const config::Config& c) : cfg_(&c) {}

  // A mute window covers this alert at evaluation time `at`.
  bool muted(AccountRef account, ProfileRef profile, const config::Rule& rule, TimePoint at) const;
  // Another alert of the account, firing, matches an inhibition whose target is
  // rules[i]. `states` are the account's, parallel to `rules`.
  bool inhibited(AccountRef account, ProfileRef profile, std::span<const config::Rule> rules,
                 std::span<const AlertState> states, std::size_t i) const;

 private:
  const config::Config* cfg_;
};

// The campaign whose limits apply to `rule` at `at`: one whose period overlaps
// the rule's window [at - window, at) and that sets limits for it; nullptr: none.
const config::Campaign* active_campaign(const std::vector<config::Campaign>* campaigns,
                                        const config::Rule& rule, TimePoint at);

// `rule` with the campaign's limits in `scratch`, or `rule` itself.
const config::Rule& with_campaign(const config::Rule& rule, const config::Campaign* campaign,
                                  config::Rule& scratch);

}  // namespace kilter::pipeline

#include "pipeline/rules/noise.h"

#include "pipeline/rules/routing.h"

namespace kilter::pipeline {

bool NoiseControl::muted(AccountRef account, ProfileRef profile, const config::Rule& rule,
                         TimePoint at) const {
  for (const auto& m : cfg_->mute)
    if (at >= m.from && at < m.to && matches(m.match, account, profile, rule)) return true;
  return false;
}

bool NoiseControl::inhibited(AccountRef account, ProfileRef profile,
                             std::span<const config::Rule> rules,
                             std::span<const AlertState> states, std::size_t i) const {
  for (const auto& inh : cfg_->inhibit) {
    if (!matches(inh.target, account, profile, rules[i])) continue;
    for (std::size_t j = 0; j < rules.size(); ++j) {
      if (j == i || states[j].phase != AlertPhase::firing) continue;
      if (matches(inh.source, account, profile, rules[j])) return true;
    }
  }
  return false;
}

const config::Campaign* active_campaign(const std::vector<config::Campaign>* campaigns,
                                        const config::Rule& rule, TimePoint at) {
  if (campaigns == nullptr) return nullptr;
  for (const auto& c : *campaigns) {
    if (!c.limits.contains(rule.name)) continue;
    if (at > c.from && at - rule.window < c.to) return &c;
  }
  return nullptr;
}

const config::Rule& with_campaign(const config::Rule& rule, const config::Campaign* campaign,
                                  config::Rule& scratch) {
  if (campaign == nullptr) return rule;
  const auto& l = campaign->limits.at(rule.name);
  scratch = rule;
  scratch.min = l.min;
  scratch.max = l.max;
  return scratch;
}

}  // namespace kilter::pipeline

#include "pipeline/rules/routing.h"

#include <algorithm>

namespace kilter::pipeline {

bool matches_account(const config::AlertMatcher& m, AccountRef account, ProfileRef profile) {
  return (m.account.empty() || config::glob_match(m.account, account.view())) &&
         (m.profile.empty() || m.profile == profile.view());
}

bool matches(const config::AlertMatcher& m, AccountRef account, ProfileRef profile,
             const config::Rule& rule) {
  return matches_account(m, account, profile) && (m.rule.empty() || m.rule == rule.name) &&
         (m.metric.empty() || m.metric == config::to_string(rule.metric)) &&
         (m.severity.empty() || m.severity == rule.severity);
}

std::vector<std::string> route(const config::Config& c, AccountRef account, ProfileRef profile,
                               const config::Rule& rule) {
  std::vector<std::string> out;
  auto add = [&](const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  bool matched = false;
  for (const auto& r : c.routes) {
    if (!matches(r.match, account, profile, rule)) continue;
    matched = true;
    add(r.sinks);
    if (!r.continue_matching) break;
  }
  if (!matched) {
    if (c.default_sinks) {
      add(*c.default_sinks);
    } else {
      for (const auto& s : c.sinks) out.push_back(s.name);
    }
  }
  return out;
}

}  // namespace kilter::pipeline

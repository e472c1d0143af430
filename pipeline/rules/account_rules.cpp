#include "pipeline/rules/account_rules.h"

#include "pipeline/rules/advice.h"
#include "pipeline/rules/routing.h"

namespace kilter::pipeline {

std::span<Verdict> RuleEvaluator::evaluate(const AccountRules& a, std::span<AlertState> alerts,
                                           TimePoint at) {
  const auto& weights = cfg_->pipeline.engagement_weights;
  const auto& rules = a.profile.rules;
  const ProfileRef profile{a.profile.name};
  figures_.clear();
  figures_.reserve(2 * rules.size());  // no reallocation: references into it stay valid
  auto window = [&](TimePoint end, Millis len) -> const WindowFigures& {
    for (const auto& [e, l, f] : figures_)
      if (e == end && l == len) return f;
    return std::get<2>(figures_.emplace_back(end, len, a.windows.window(end, len)));
  };
  verdicts_.resize(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& v = verdicts_[i];
    v.campaign = active_campaign(a.campaigns, rules[i], at);
    const auto& rule = with_campaign(rules[i], v.campaign, scratch_rule_);
    v.before = alerts[i];
    const WindowFigures* baseline = nullptr;
    if (rule.metric == config::Metric::engagement_change && rule.baseline)
      baseline = &window(at - rule.window, *rule.baseline);
    v.value = metric_value(rule, window(at, rule.window), baseline, weights);
    v.transition = step(rule, alerts[i], v.value, at);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& v = verdicts_[i];
    auto& state = alerts[i];
    v.held = Held::no;
    v.tell.reset();
    v.sinks.clear();
    if (state.phase == AlertPhase::firing && !state.notified) {
      // Newly firing, or held back until now by a mute window or an inhibition.
      if (noise_.muted(a.account, profile, rules[i], at)) {
        v.held = Held::muted;
      } else if (noise_.inhibited(a.account, profile, rules, alerts, i)) {
        v.held = Held::inhibited;
      } else {
        v.tell = Transition{AlertStatus::firing, state.since, std::nullopt, state.last_value};
        state.notified = true;
      }
    } else if (v.transition && v.transition->status == AlertStatus::resolved) {
      if (v.before.notified) v.tell = v.transition;  // a firing never told resolves quietly
      state.notified = false;
    }
    // The value of an inactive rule is read by no one (the API computes values
    // afresh), nor is its verdict_at (leaving inactive sets it): storing them at
    // every evaluation would be one write per account and boundary for nothing.
    // within_since changes what a firing alert does on time alone
    // (keep_firing_for): written whenever it moves. verdict_at only matters to a
    // rule with no_verdict "resolve after"; for the others a firing state would
    // otherwise be rewritten at every evaluation (it is still written along
    // with any other change, so a reload that turns no_verdict on finds it close).
    const bool moved = state.phase != v.before.phase || state.since != v.before.since ||
                       state.notified != v.before.notified ||
                       state.within_since != v.before.within_since;
    AlertState compared = state;
    if (!rules[i].no_verdict_resolve_after) compared.verdict_at = v.before.verdict_at;
    v.store = moved || (state.phase != AlertPhase::inactive && !(compared == v.before));
    if (v.tell) v.sinks = route(*cfg_, a.account, profile, rules[i]);
  }
  return verdicts_;
}

AlertRecord RuleEvaluator::record(const AccountRules& a, std::size_t i, TimePoint at,
                                  Partition partition, const PostSource& posts) {
  const auto& v = verdicts_[i];
  const auto& rule = with_campaign(a.profile.rules[i], v.campaign, scratch_rule_);
  AlertContext ctx{a.account, a.profile, rule,      *v.tell,
                   v.value,   at,        partition, cfg_->pipeline.engagement_weights,
                   v.campaign};
  ctx.windows = &a.windows;
  return build_alert(ctx, posts);
}

void RuleEvaluator::told_firing(
    const AccountRules& a, std::span<const AlertState> alerts, TimePoint at,
    const std::function<void(AlertRecord, std::vector<std::string>)>& out) const {
  const auto& weights = cfg_->pipeline.engagement_weights;
  const auto& rules = a.profile.rules;
  const ProfileRef profile{a.profile.name};
  config::Rule scratch;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& s = alerts[i];
    if (s.phase != AlertPhase::firing || !s.notified) continue;
    if (noise_.muted(a.account, profile, rules[i], at) ||
        noise_.inhibited(a.account, profile, rules, alerts, i))
      continue;
    const auto* campaign = active_campaign(a.campaigns, rules[i], at);
    const auto& rule = with_campaign(rules[i], campaign, scratch);
    auto value = compute_metric(rule, a.windows, at, weights);
    Transition t{AlertStatus::firing, s.since, std::nullopt, s.last_value};
    auto record = make_alert_record(a.account, profile, rule, t, value, weights);
    if (campaign != nullptr) record.campaign = campaign->name;
    record.evidence.advice = advise(rule, a.windows, at, value);
    out(std::move(record), route(*cfg_, a.account, profile, rules[i]));
  }
}

}  // namespace kilter::pipeline

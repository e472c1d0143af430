// The engine's evaluations: at a bucket boundary, the accounts whose figures
// can have changed get their verdicts; the alert states and records they
// produce join the open batch.
#include <algorithm>

#include "common/hash.h"
#include "common/saturating.h"
#include "common/time.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/engine/engine_state.h"
#include "pipeline/model/alert.h"
#include "pipeline/rules/evidence.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {

void Engine::evaluate(PartitionState& ps, TimePoint at) {
  // Every account whose verdict could differ from its last one: new events,
  // a bucket entering or leaving a window, a campaign edge (`due`), or an alert
  // that moves on time alone (`watched`). Any other account would get the
  // verdict it already has, so evaluating it could change nothing.
  evaluating_.clear();
  auto take = [this](AccountState* a) {
    if (a->queued) return;
    a->queued = true;
    evaluating_.push_back(a);
  };
  for (auto* a : ps.changed) take(a);
  ps.changed.clear();
  while (!ps.due.empty() && ps.due.top().first <= at) {
    const auto [t, i] = ps.due.top();
    ps.due.pop();
    auto* a = ps.by_index[i].get();
    if (a->due == t) take(a);
  }
  for (auto* a : ps.watched) take(a);
  ps.watched.clear();
  // Account-id order: the outbox order and the commit points do not depend on
  // how the accounts came to be evaluated.
  std::sort(evaluating_.begin(), evaluating_.end(),
            [](const AccountState* x, const AccountState* y) { return x->id < y->id; });
  for (auto* a : evaluating_) {
    a->queued = false;
    a->changed = false;
    evaluate_account(ps, *a, at);
    schedule(ps, *a, at);
  }
  stats_.account_evaluations += evaluating_.size();
  ps.meta.last_evaluated = at;
  ps.meta_dirty = true;
  ++stats_.evaluations;
  // Seen ids older than the boundary are older than the watermark: a copy of
  // them is late, so their blocks can go.
  if (auto r = store_.expire(ps.id, at - cfg_->storage.retention, at); !r) return fail(r.error());
  // Alerts do not wait for the commit interval: commit_due() says so at once, and
  // the evaluations of one slice of messages share that commit.
}

void Engine::schedule(PartitionState& ps, AccountState& a, TimePoint at) {
  const Millis bucket = cfg_->storage.bucket;
  TimePoint due = TimePoint::max();
  auto consider = [&](TimePoint t) {
    if (t > at && t < due) due = t;
  };
  // Only buckets holding what a rule reads matter to it: the next one to enter
  // the rule's window (events ahead of the watermark enter at their bucket's
  // end), and the oldest in it, which leaves it at s + window + bucket.
  auto watch_edge = [&](Millis e, std::uint8_t inputs) {
    if (auto s = a.windows.first_at_or_after(at - e, inputs)) consider(*s + e + bucket);
  };
  if (auto s = a.windows.first_at_or_after(at, a.inputs)) consider(*s + bucket);
  bool watch = false;
  if (a.profile != nullptr) {
    const auto& rules = a.profile->rules;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const auto& r = rules[i];
      const auto inputs = metric_inputs(r.metric);
      watch_edge(r.window, inputs);
      if (r.baseline) watch_edge(r.window + *r.baseline, inputs);
      const auto& s = a.alerts[i];
      watch =
          watch || s.phase == AlertPhase::pending || (s.phase == AlertPhase::firing && !s.notified);
      if (a.campaigns == nullptr) continue;
      // A campaign applies while its period overlaps [t - window, t).
      for (const auto& c : *a.campaigns) {
        if (!c.limits.contains(r.name)) continue;
        consider(bucket_start(c.from, bucket) + bucket);
        consider(bucket_start(c.to + r.window - Millis{1}, bucket) + bucket);
      }
    }
  }
  // Once nothing is left in any window, a last pass frees the buckets (events
  // no rule reads never make the account due otherwise).
  if (due == TimePoint::max())
    if (auto s = a.windows.newest()) consider(*s + max_reach_ + bucket);
  if (watch) ps.watched.push_back(&a);
  a.due = due;
  if (due != TimePoint::max()) ps.due.emplace(due, a.index);
}

void Engine::evaluate_account(PartitionState& ps, AccountState& a, TimePoint at) {
  a.windows.expire(at - max_reach_);
  if (a.profile == nullptr) return;
  const auto& weights = cfg_->pipeline.engagement_weights;
  const auto& rules = a.profile->rules;
  // First every rule's verdict, then what is told: an inhibition looks at the
  // account's other alerts as they stand after this evaluation.
  // Rules share windows (7d for the shares, say): each is summed once.
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
    v.before = a.alerts[i];
    const WindowFigures* baseline = nullptr;
    if (rule.metric == config::Metric::engagement_change && rule.baseline)
      baseline = &window(at - rule.window, *rule.baseline);
    v.value = metric_value(rule, window(at, rule.window), baseline, weights);
    v.transition = step(rule, a.alerts[i], v.value, at);
    ps.count_phase(v.before.phase, a.alerts[i].phase);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& v = verdicts_[i];
    auto& state = a.alerts[i];
    std::optional<Transition> tell;
    if (state.phase == AlertPhase::firing && !state.notified) {
      // Newly firing, or held back until now by a mute window or an inhibition.
      if (noise_.muted(a.id, a.profile->name, rules[i], at)) {
        if (v.transition) ++stats_.alerts_muted;
      } else if (noise_.inhibited(a.id, a.profile->name, rules, a.alerts, i)) {
        if (v.transition) ++stats_.alerts_inhibited;
      } else {
        tell = Transition{AlertStatus::firing, state.since, std::nullopt, state.last_value};
        state.notified = true;
      }
    } else if (v.transition && v.transition->status == AlertStatus::resolved) {
      if (v.before.notified) tell = v.transition;  // a firing never told resolves quietly
      state.notified = false;
    }
    // The value of an inactive rule is read by no one (the API computes values
    // afresh): storing it at every evaluation would be one write per account
    // and boundary for nothing.
    const bool moved = state.phase != v.before.phase || state.since != v.before.since ||
                       state.notified != v.before.notified;
    if (moved || (state.phase != AlertPhase::inactive && !(state == v.before)))
      batch_->put_alert_state(ps.id, a.id, rules[i].name, state);
    if (!tell) continue;
    const auto& rule = with_campaign(rules[i], v.campaign, scratch_rule_);
    ++(tell->status == AlertStatus::firing ? stats_.alerts_firing : stats_.alerts_resolved);
    auto sinks = config::route(*cfg_, a.id, a.profile->name, rules[i]);
    if (sinks.empty()) {
      ++stats_.alerts_unrouted;
      continue;
    }
    AlertContext ctx{a.id, *a.profile, rule, *tell, v.value, at, ps.id, weights, v.campaign};
    auto record =
        build_alert(ctx, [&](std::string_view, TimePoint from, TimePoint to,
                             const PostVisitor& visit) { visit_posts(ps, a, from, to, visit); });
    auto json = to_json(record);
    auto seq = ps.meta.next_outbox_seq++;
    batch_->put_outbox(ps.id, seq, json, sinks);
    staged_.push_back(
        Staged{ps.id, seq, std::move(record), std::move(json), std::move(sinks), arrival_});
  }
}

void Engine::visit_posts(PartitionState& ps, const AccountState& a, TimePoint from, TimePoint to,
                         const PostVisitor& visit) {
  // The store as it was before the batch being written (if any), then that
  // batch's and this one's posts, each with the engagement added since.
  auto added = [&](std::string_view id) {
    const auto h = hash64(id);
    std::uint64_t n = 0;
    if (const auto* e = ps.writing.engagement.find(h)) n = sat_add(n, *e);
    if (const auto* e = ps.building.engagement.find(h)) n = sat_add(n, *e);
    return n;
  };
  store_.scan_post_details(
      ps.id, a.id, from, to,
      [&](TimePoint ts, std::string_view id, const PostDetail& stored) {
        const auto more = added(id);
        if (more == 0) return visit(ts, id, stored);
        shown_ = stored;
        shown_.engagement = sat_add(shown_.engagement, more);
        visit(ts, id, shown_);
      },
      in_flight_snapshot_.get());
  for (const auto* staged : {&ps.writing, &ps.building}) {
    for (const auto& s : staged->posts) {
      if (s.account != a.index || s.ts < from || s.ts >= to) continue;
      const std::string_view text(staged->text);
      const auto id = text.substr(s.text_at, s.id_len);
      shown_.category = s.category;
      shown_.confidence = s.confidence;
      shown_.matched = text.substr(s.text_at + s.id_len, s.matched_len);
      shown_.link = text.substr(s.text_at + s.id_len + s.matched_len, s.link_len);
      shown_.engagement = added(id);
      visit(s.ts, id, shown_);
    }
  }
}

std::vector<FiringAlert> Engine::firing_alerts() const {
  std::vector<FiringAlert> out;
  const auto& weights = cfg_->pipeline.engagement_weights;
  config::Rule scratch;
  for (const auto& [p, ps] : partitions_) {
    if (!ps->has_events) continue;
    const auto at = windows_end(*ps);
    for (const auto& a : ps->by_index) {
      if (a->profile == nullptr) continue;
      const auto& rules = a->profile->rules;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& s = a->alerts[i];
        if (s.phase != AlertPhase::firing || !s.notified) continue;
        if (noise_.muted(a->id, a->profile->name, rules[i], at) ||
            noise_.inhibited(a->id, a->profile->name, rules, a->alerts, i))
          continue;
        const auto* campaign = active_campaign(a->campaigns, rules[i], at);
        const auto& rule = with_campaign(rules[i], campaign, scratch);
        auto value = compute_metric(rule, a->windows, at, weights);
        Transition t{AlertStatus::firing, s.since, std::nullopt, s.last_value};
        auto record = make_alert_record(a->id, a->profile->name, rule, t, value, weights);
        if (campaign != nullptr) record.campaign = campaign->name;
        out.push_back({std::move(record), config::route(*cfg_, a->id, a->profile->name, rules[i])});
      }
    }
  }
  return out;
}

}  // namespace kilter::pipeline

#include "pipeline/engine/evaluator.h"

#include <algorithm>

#include "common/hash.h"
#include "common/saturating.h"
#include "common/time.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {

Evaluator::Evaluator(const config::Config& cfg, storage::StateStore& store, Committer& committer,
                     const Partitions& partitions, EngineStats& stats, const Clock& clock)
    : cfg_(cfg),
      store_(store),
      committer_(committer),
      partitions_(partitions),
      stats_(stats),
      clock_(clock),
      max_reach_(reach(cfg)),
      rules_(cfg),
      digests_(cfg, clock, committer, stats,
               [this](PartitionState& ps, const AccountState& a, TimePoint from, TimePoint to,
                      const PostVisitor& visit) { visit_posts(ps, a, from, to, visit); }) {}

Result<void> Evaluator::evaluate(PartitionState& ps, TimePoint at, TimePoint raised_by) {
  if (digests_.enabled()) {
    // A bound on the ends taken one by one: periods beyond the windows' reach
    // have nothing left to sum anyway.
    for (int i = 0; i < 1000; ++i) {
      const auto end = digests_.next_end(ps.meta.last_evaluated);
      if (!end || *end >= at || *end > clock_.now()) break;
      if (auto r = evaluate_at(ps, *end, raised_by); !r) return r;
    }
  }
  return evaluate_at(ps, at, raised_by);
}

Result<void> Evaluator::evaluate_at(PartitionState& ps, TimePoint at, TimePoint raised_by) {
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
    evaluate_account(ps, *a, at, raised_by);
    schedule(ps, *a, at);
  }
  stats_.account_evaluations += evaluating_.size();
  if (digests_.enabled()) digests_.emit(ps, at);
  ps.meta.last_evaluated = at;
  ps.meta_dirty = true;
  ++stats_.evaluations;
  // Seen ids older than the boundary are older than the watermark: a copy of
  // them is late, so their blocks can go. Alerts do not wait for the commit
  // interval: the committer says the batch is due at once, and the evaluations
  // of one slice of messages share that commit.
  return store_.expire(ps.id, at - cfg_.storage.retention, at);
}

void Evaluator::schedule(PartitionState& ps, AccountState& a, TimePoint at) {
  const Millis bucket = cfg_.storage.bucket;
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
      // A firing alert that resolves on time alone (keep_firing_for's wait,
      // no_verdict's "resolve after") does so at the first boundary at or after
      // that time, even if no event makes the account due then.
      if (auto t = resolves_by_time(r, s)) consider(bucket_start(*t - Millis{1}, bucket) + bucket);
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

void Evaluator::evaluate_account(PartitionState& ps, AccountState& a, TimePoint at,
                                 TimePoint raised_by) {
  a.windows.expire(at - max_reach_);
  if (a.profile == nullptr) return;
  const AccountRules input{a.ref(), *a.profile, a.campaigns, a.windows};
  auto verdicts = rules_.evaluate(input, a.alerts, at);
  const auto& rules = a.profile->rules;
  for (std::size_t i = 0; i < verdicts.size(); ++i)
    ps.count_phase(verdicts[i].before.phase, a.alerts[i].phase);
  for (std::size_t i = 0; i < verdicts.size(); ++i) {
    auto& v = verdicts[i];
    if (v.transition && v.held == Held::muted) ++stats_.alerts_muted;
    if (v.transition && v.held == Held::inhibited) ++stats_.alerts_inhibited;
    if (v.store) committer_.batch().put_alert_state(ps.id, a.id.view(), rules[i].name, a.alerts[i]);
    if (!v.tell) continue;
    ++(v.tell->status == AlertStatus::firing ? stats_.alerts_firing : stats_.alerts_resolved);
    if (v.sinks.empty()) {
      ++stats_.alerts_unrouted;
      continue;
    }
    auto record =
        rules_.record(input, i, at, ps.id,
                      [&](AccountRef, TimePoint from, TimePoint to, const PostVisitor& visit) {
                        visit_posts(ps, a, from, to, visit);
                      });
    committer_.stage(ps, std::move(record), std::move(v.sinks), raised_by);
  }
}

void Evaluator::visit_posts(PartitionState& ps, const AccountState& a, TimePoint from, TimePoint to,
                            const PostVisitor& visit) {
  // The store as it was before the batch being written (if any), then that
  // batch's and this one's posts, each with the engagement added since.
  auto added = [&](std::string_view id) {
    const auto h = hash64(id);
    std::uint64_t n = 0;
    for (const auto* staged : {&ps.writing, &ps.sent, &ps.building})
      if (const auto* e = staged->engagement.find(h)) n = sat_add(n, *e);
    return n;
  };
  store_.scan_post_details(
      ps.id, a.id.view(), from, to,
      [&](TimePoint ts, std::string_view id, const PostDetail& stored) {
        const auto more = added(id);
        if (more == 0) return visit(ts, id, stored);
        shown_ = stored;
        shown_.engagement = sat_add(shown_.engagement, more);
        visit(ts, id, shown_);
      },
      committer_.in_flight_snapshot());
  for (const auto* staged : {&ps.writing, &ps.sent, &ps.building}) {
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

std::vector<FiringAlert> Evaluator::firing_alerts() const {
  std::vector<FiringAlert> out;
  for (const auto& [p, ps] : partitions_.all()) {
    if (!ps->has_events) continue;
    const auto at = partitions_.windows_end(*ps);
    for (const auto& a : ps->by_index) {
      if (a->profile == nullptr) continue;
      rules_.told_firing({a->ref(), *a->profile, a->campaigns, a->windows}, a->alerts, at,
                         [&](AlertRecord record, std::vector<std::string> sinks) {
                           out.push_back({std::move(record), std::move(sinks)});
                         });
    }
  }
  return out;
}

}  // namespace kilter::pipeline

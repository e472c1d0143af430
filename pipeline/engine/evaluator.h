// The engine's evaluations: when a partition's watermark crosses a bucket
// boundary, the accounts whose verdict could differ from their last one get
// evaluated there (new events, a bucket entering or leaving a window, a
// campaign edge, an alert pending or held back), in account-id order. The rules
// (pipeline/rules) decide what each verdict is and what is told; this schedules
// the evaluations and stages what they return into the open batch.
#pragma once

#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "pipeline/delivery/sink.h"
#include "pipeline/engine/committer.h"
#include "pipeline/engine/digest_emitter.h"
#include "pipeline/engine/partitions.h"
#include "pipeline/engine/stats.h"
#include "pipeline/rules/account_rules.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

class Evaluator {
 public:
  Evaluator(const config::Config& cfg, storage::StateStore& store, Committer& committer,
            const Partitions& partitions, EngineStats& stats, const Clock& clock);

  // Evaluates the partition's due accounts at boundary `at`; `raised_by` is the
  // input timestamp of the message that moved the watermark (epoch: none). An
  // error (the store's expiry failed) stops the engine. With digests, the ends
  // of digest periods the watermark jumped over (and the wall clock reached)
  // are evaluated first, each on its own, so that a digest's rules stand as
  // they were at its end; then the digests due are emitted.
  Result<void> evaluate(PartitionState& ps, TimePoint at, TimePoint raised_by);
  // The partition's first event, at `t` (its digests start there).
  void start(PartitionState& ps, TimePoint t) const { digests_.start(ps, t); }

  // The alerts firing now and told to the sinks, as records with their routes.
  std::vector<FiringAlert> firing_alerts() const;

 private:
  Result<void> evaluate_at(PartitionState& ps, TimePoint at, TimePoint raised_by);
  void evaluate_account(PartitionState& ps, AccountState& a, TimePoint at, TimePoint raised_by);
  // When the account must be evaluated next without a new event (its due time,
  // or at every boundary while an alert waits on time alone).
  void schedule(PartitionState& ps, AccountState& a, TimePoint at);
  // The evidence's posts: every post of `a` with from <= ts < to, from the
  // store (as it was before the write in flight) and the unwritten batches.
  void visit_posts(PartitionState& ps, const AccountState& a, TimePoint from, TimePoint to,
                   const PostVisitor& visit);

  const config::Config& cfg_;
  storage::StateStore& store_;
  Committer& committer_;
  const Partitions& partitions_;
  EngineStats& stats_;
  const Clock& clock_;
  Millis max_reach_;  // longest window + baseline of any rule (digests: see reach())
  RuleEvaluator rules_;
  std::vector<AccountState*> evaluating_;
  PostDetail shown_;  // reused: the evidence of an alert
  DigestEmitter digests_;
};

}  // namespace kilter::pipeline

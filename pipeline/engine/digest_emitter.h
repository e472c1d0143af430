// When the engine emits digests (pipeline/digests builds them): a period of a
// partition's accounts once the partition's evaluations have reached its end in
// event time (the watermark passed it: later events are late) and the wall
// clock has reached it too. The instant through which each digest's periods
// were emitted is the partition's (PartitionMeta::digests), written in the
// batch that stages the records, so a period goes out once across restarts.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "pipeline/digests/schedule.h"
#include "pipeline/engine/committer.h"
#include "pipeline/engine/partition_state.h"
#include "pipeline/engine/stats.h"
#include "pipeline/rules/evidence.h"

namespace kilter::pipeline {

class DigestEmitter {
 public:
  // The posts of an account with from <= ts < to (the evaluator's visit_posts).
  using Posts = std::function<void(PartitionState&, const AccountState&, TimePoint, TimePoint,
                                   const PostVisitor&)>;

  DigestEmitter(const config::Config& cfg, const Clock& clock, Committer& committer,
                EngineStats& stats, Posts posts);

  bool enabled() const { return !cfg_.digests.empty(); }
  // A partition's first event at `t`: its digests cover the periods ending after it.
  void start(PartitionState& ps, TimePoint t) const;
  // The earliest end of a digest period after `t` in any zone in use; nullopt:
  // no digests.
  std::optional<TimePoint> next_end(TimePoint t) const;
  // The partition was evaluated at `at`: stages the records of every period
  // ending after the digest's progress and at or before min(at, wall clock),
  // for each matching account with something to review, and moves the progress.
  void emit(PartitionState& ps, TimePoint at);

 private:
  // The account's zone's schedule, else the digest's own; null: neither loaded.
  const digests::Schedule* schedule(std::size_t digest, const std::string* zone) const;

  const config::Config& cfg_;
  const Clock& clock_;
  Committer& committer_;
  EngineStats& stats_;
  Posts posts_;
  Millis reach_;
  // Per digest: its schedule in each zone in use (its own, and every account's).
  std::vector<std::map<std::string, digests::Schedule, std::less<>>> schedules_;
  std::vector<std::vector<std::string>> sinks_;  // per digest
  std::vector<AccountState*> accounts_;          // reused: the partition's, by id
};

}  // namespace kilter::pipeline

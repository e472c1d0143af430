// The data path, top to bottom: decode -> dedupe/lateness -> classify -> windows
// -> rules -> outbox. One Engine serves every partition the source hands it and
// only orchestrates: the partitions and their accounts (partitions.h), the
// per-event path (events.h), the evaluations (evaluator.h, over
// pipeline/rules) and the commits (committer.h). All of a partition's state
// lives in its PartitionState and in the store under its key prefix.
// Single-threaded: the daemon calls it from its event loop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "config/config.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/account_reader.h"
#include "pipeline/engine/changelog_sync.h"
#include "pipeline/engine/committer.h"
#include "pipeline/engine/evaluator.h"
#include "pipeline/engine/events.h"
#include "pipeline/engine/partitions.h"
#include "pipeline/engine/restorer.h"
#include "pipeline/engine/stats.h"
#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/source.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

class Engine final : public PartitionListener, public AccountReader {
 public:
  Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
         Classifier& classifier, Outbox& outbox, const Clock& clock);
  ~Engine() override;

  // With a changelog: each commit writes the partitions' deltas to it before
  // their positions go to the source, and an assigned partition whose store is
  // behind the head the group names is restored before it is consumed. Called
  // before the source starts.
  // `standby`: follow the partitions other members hold (follow()).
  void enable_changelog(ChangelogOptions options, ReaderFactory make_reader, Millis restore_timeout,
                        bool standby = false);
  bool standby() const { return standby_; }
  // Standbys: the group's offsets of every partition of the input. Each one this
  // daemon does not hold is caught up (on the restorer's thread) to the head the
  // group names, so that taking it over later restores only what came since.
  void follow(std::span<const GroupPartition> partitions);

  // PartitionListener: a source's partitions come and go (Kafka rebalances).
  // With a changelog, a partition whose store does not hold the head the group
  // names is warming: restored on the restorer's thread, and neither consumed
  // nor evaluated until take_warmed() hands it back.
  Assignment partition_assigned(Partition p, const GroupOffset& group) override;
  void partition_started(Partition p, Offset start) override;
  // Commits what is pending; when the source refuses the positions (the group is
  // already rebalancing), gives the uncommitted batch up: the next owner reads
  // those messages again from the last positions both sides agree on.
  void partitions_revoked(std::span<const Partition> ps) override;

  // Loads a partition's state; returns the stored position to continue from.
  std::optional<Offset> open_partition(Partition p);
  // Commits what is pending and forgets the partition's in-memory state.
  Result<void> close_partition(Partition p);
  // A new configuration (SIGHUP): commits what is pending, then reloads every open
  // partition from the store under the new profiles, rules and routes; alert states
  // follow their rule by name. Refused (nothing changes) when the pending batch
  // cannot be committed now. `classifier`, when given, replaces the classifier.
  Result<void> reconfigure(std::shared_ptr<const config::Config> cfg,
                           Classifier* classifier = nullptr);
  // Current alert states of the accounts in memory: {pending, firing}.
  std::array<std::size_t, 2> alert_state_counts() const;

  // Forgets everything not yet committed, and every partition's in-memory state
  // (reopened from the store on the next open_partition): the batch holds every
  // partition's updates, so it is given up as a whole.
  void discard_uncommitted();
  std::vector<Partition> open_partitions() const { return partitions_.ids(); }

  // Positions are offered to the checkpointer before each batch is written; a
  // refusal keeps the batch for a later commit: after a short backoff when the
  // refusal may pass by itself (Error::retriable()), else at the next commit point.
  void set_checkpointer(Checkpointer* c) { committer_.set_checkpointer(c); }

  void process(const SourceMessage& m);
  // True when the commit interval has elapsed or the batch is full.
  bool commit_due() const { return committer_.due(); }
  // One atomic batch with everything pending (window deltas, posts, seen ids,
  // alert states, outbox entries, positions), written before this returns; then
  // its alerts go to the sinks.
  Result<void> commit();
  // The same batch handed to the writer thread: processing goes on while it is
  // written (one at a time: a second waits for the first). Its alerts go to
  // the sinks once it is written (see poll()). With a changelog, processing
  // also goes on while its records await their acknowledgement: poll() then
  // makes the group commit and hands the batch to the writer.
  Result<void> commit_async() { return committer_.submit(true); }
  // Collects a finished write and finished restores, if any (from the event
  // loop, between slices).
  void poll();
  // Partitions whose restore finished since the last call, with the position
  // their state continues from: the source resumes them there.
  std::vector<Position> take_warmed();
  // Partitions being restored, and the restores' live counters.
  std::vector<Partition> warming() const;
  // A partition as the source names it ("social.events:3"; its number when the
  // source gave no name).
  std::string partition_name(Partition p) const;
  const changelog::RestoreProgress* restore_progress() const {
    return restorer_ ? &restorer_->progress() : nullptr;
  }
  std::uint64_t restore_retries() const { return restorer_ ? restorer_->retries() : 0; }
  // End of a file source: evaluates every account at the end of the bucket
  // holding the last event, commits and delivers.
  Result<void> finish();
  // A live partition that is caught up and quiet: its event-time clock moves to
  // the wall-clock time `now`, so its accounts get their verdicts even though no
  // event moves the watermark.
  void advance_idle(Partition p, TimePoint now);
  // True when commits have been refused for so long that the batch is twice its
  // size limit: stop taking messages until a commit succeeds.
  bool backlogged() const { return committer_.backlogged(); }
  // Messages taken but not yet committed.
  std::size_t uncommitted() const { return committer_.uncommitted(); }

  void set_bad_input_hook(BadInputHook hook) { events_.set_bad_input_hook(std::move(hook)); }
  const EngineStats& stats() const { return stats_; }
  // Error that stopped the engine (a failed commit); processing must stop.
  const std::optional<Error>& failure() const { return committer_.failure(); }

  // AccountReader: the accounts in memory, for the API.
  const AccountState* find_account(AccountRef account, TimePoint* at = nullptr) const override {
    return partitions_.find_account(account, at);
  }
  void for_each_account(
      const std::function<void(const AccountState&, TimePoint)>& fn) const override {
    partitions_.for_each_account(fn);
  }
  std::vector<Partition> partitions() const override { return partitions_.ids(); }
  const config::Config& config() const override { return *cfg_; }
  // The alerts firing now and told to the sinks (mute and inhibition considered),
  // as records with their routes: Alertmanager re-sends them, Slack reminds of them.
  std::vector<FiringAlert> firing_alerts() const { return evaluator_->firing_alerts(); }

 private:
  PartitionState& partition(Partition p) {
    if (auto* ps = partitions_.cached(p)) return *ps;
    return open_or_find(p);
  }
  PartitionState& open_or_find(Partition p);
  // Whether the store holds p as of the head the group names (nothing to restore).
  bool holds(Partition p, const ChainAddress& address, Offset committed,
             const changelog::ChainHead& named);
  // A restore finished (or failed): the partition opens from the store.
  void warmed(RestoreDone& done);
  void fail(Error e) { committer_.fail(std::move(e)); }
  // Late (before the watermark), else the watermark moves (evaluating first
  // when it crosses a boundary) and the event path takes it.
  EventResult apply(PartitionState& ps, const Event& ev);
  void advance_watermark(PartitionState& ps, TimePoint ts);

  std::shared_ptr<const config::Config> cfg_;
  storage::StateStore& store_;
  EngineStats stats_;
  Outbox& outbox_;
  Partitions partitions_;
  Committer committer_;
  std::unique_ptr<ChangelogSync> sync_;  // with a changelog
  std::unique_ptr<Restorer> restorer_;   // with a changelog
  struct Warming {
    std::uint64_t ticket;
    Offset committed;  // the group's offset, where the restored state continues
  };
  std::map<Partition, Warming> warming_;
  bool standby_ = false;
  std::map<Partition, std::uint64_t> following_;  // standby catch-ups: their tickets
  std::map<Partition, std::string> names_;        // as the source names them
  std::vector<Position> warmed_;
  std::unique_ptr<Evaluator> evaluator_;  // rebuilt with each configuration
  EventPath events_;
  const Clock& clock_;
  TimePoint arrival_;  // input timestamp of the message being processed (epoch: none)
};

}  // namespace kilter::pipeline

// The data path, top to bottom: decode -> dedupe/lateness -> classify -> windows
// -> rules -> outbox. One Engine serves every partition the source hands it; all
// of a partition's state lives in its PartitionState and in the store under its
// key prefix. Single-threaded: the daemon calls it from its event loop.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/histogram.h"
#include "config/config.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/dedupe.h"
#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/source.h"
#include "pipeline/rules/evidence.h"
#include "pipeline/rules/noise.h"
#include "pipeline/rules/rules.h"
#include "pipeline/windows/windows.h"
#include "storage/batch_writer.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

enum class EventResult : std::uint8_t { ok = 0, bad, late, duplicate };
inline constexpr std::size_t kEventResults = 4;
std::string_view to_string(EventResult r);

struct EngineStats {
  std::array<std::uint64_t, kEventResults> events{};  // every message counts once, by result
  std::array<std::uint64_t, kBadInputReasons> bad{};  // by reason
  std::array<std::uint64_t, kCategories> posts{};     // accepted posts by category
  std::uint64_t unattributed_engagement = 0;          // engagement events naming an unknown post
  std::uint64_t alerts_firing = 0;                    // notifications emitted, by status
  std::uint64_t alerts_resolved = 0;
  std::uint64_t alerts_muted = 0;         // firing transitions held back by a mute window
  std::uint64_t alerts_inhibited = 0;     // ... or by an inhibition
  std::uint64_t alerts_unrouted = 0;      // notifications no sink was routed to
  std::uint64_t evaluations = 0;          // (partition, boundary) evaluations
  std::uint64_t account_evaluations = 0;  // accounts evaluated (those whose figures could change)
  std::uint64_t seen_ids_evicted = 0;     // event ids forgotten early (pipeline.dedupe_max_ids)
  std::uint64_t post_cache_misses = 0;    // engagement whose post was looked up in the store
  std::uint64_t idle_evaluations = 0;     // of those, on wall-clock time (quiet partitions)
  std::uint64_t commits = 0;
  std::uint64_t commits_deferred = 0;    // the source refused the positions: kept for later
  std::uint64_t batches_discarded = 0;   // given up on revocation (the next owner reprocesses)
  std::uint64_t messages_discarded = 0;  // messages in those batches
  // Messages per written batch, and the time a commit takes (group commit of the
  // positions included), in seconds.
  Histogram<7> batch_messages{{1, 10, 100, 1'000, 10'000, 100'000, 1'000'000}};
  Histogram<10> commit_seconds{{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5}};
  // From the input's timestamp of the message whose arrival raised an alert (the
  // one that moved the watermark across the boundary) to the alert being written
  // and handed to the sinks, in seconds; only where the input has timestamps.
  Histogram<12> alert_latency_seconds{
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 10}};
};

// Called for each bad message (dead-letter hook); the offset advances regardless.
using BadInputHook = std::function<void(const SourceMessage&, const DecodeOutcome&)>;

// Where a bad message was and why, for the log: "TOPIC partition N offset O:
// REASON [FIELD]", the partition as the source numbers it (Kafka's, not the
// engine's packed one).
std::string describe_bad_input(const SourceMessage& m, const DecodeOutcome& o);

struct AccountState {
  std::string id;
  Partition partition;
  std::uint32_t index = 0;  // in its partition (what the post cache refers to)
  const config::Profile* profile = nullptr;
  const std::vector<config::Campaign>* campaigns = nullptr;  // the account entry's
  const std::vector<std::string>* brand_terms = nullptr;     // normalised, shared
  AccountWindows windows;
  std::vector<AlertState> alerts;  // one per profile rule, same order
  // The next boundary at which the account's figures change without a new
  // event (a bucket leaving or entering a window, a campaign starting or
  // ending); max: never. Between events and until then, evaluating it again
  // could not change a verdict, so it is not evaluated.
  TimePoint due = TimePoint::max();
  std::uint8_t inputs = 0;  // what its rules read (Inputs): other events change no verdict
  bool dirty = false;       // deltas for the next commit
  bool changed = false;     // events since its last evaluation
  bool queued = false;      // in the evaluation being built
  explicit AccountState(Millis bucket) : windows(bucket) {}
};

class Engine final : public PartitionListener {
 public:
  Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
         Classifier& classifier, Outbox& outbox, const Clock& clock);
  ~Engine() override;

  // PartitionListener: a source's partitions come and go (Kafka rebalances).
  std::optional<Offset> partition_assigned(Partition p) override { return open_partition(p); }
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
  std::vector<Partition> open_partitions() const;

  // Positions are offered to the checkpointer before each batch is written; a
  // refusal keeps the batch for the next commit.
  void set_checkpointer(Checkpointer* c) { checkpointer_ = c; }

  void process(const SourceMessage& m);
  // True when the commit interval has elapsed or the batch is full.
  bool commit_due() const;
  // One atomic batch with everything pending (window deltas, posts, seen ids,
  // alert states, outbox entries, positions), written before this returns; then
  // its alerts go to the sinks.
  Result<void> commit();
  // The same batch handed to the writer thread: processing goes on while it is
  // written (one at a time: a second waits for the first). Its alerts go to
  // the sinks once it is written (see poll()).
  Result<void> commit_async();
  // Collects a finished write, if any (from the event loop, between slices).
  void poll() { (void)settle(false); }
  // End of a file source: evaluates every account at the end of the bucket
  // holding the last event, commits and delivers.
  Result<void> finish();
  // A live partition that is caught up and quiet: its event-time clock moves to
  // the wall-clock time `now`, so its accounts get their verdicts even though no
  // event moves the watermark.
  void advance_idle(Partition p, TimePoint now);
  // True when commits have been refused for so long that the batch is twice its
  // size limit: stop taking messages until a commit succeeds.
  bool backlogged() const;
  // Messages taken but not yet committed.
  std::size_t uncommitted() const { return batch_events_ + in_flight_events_; }

  void set_bad_input_hook(BadInputHook hook) { bad_hook_ = std::move(hook); }
  const EngineStats& stats() const { return stats_; }
  // Error that stopped the engine (a failed commit); processing must stop.
  const std::optional<Error>& failure() const { return failure_; }

  // Read access for the API; nullptr when the account is unknown. `at` (when
  // given) receives the end of the account's windows.
  const AccountState* find_account(std::string_view account, TimePoint* at = nullptr) const;
  // Every account in memory with the time its windows end at (the partition's
  // next evaluation boundary), in partition then id order.
  void for_each_account(const std::function<void(const AccountState&, TimePoint)>& fn) const;
  const config::Config& config() const { return *cfg_; }
  // The alerts firing now and told to the sinks (mute and inhibition considered),
  // as records with their routes: Alertmanager re-sends them, Slack reminds of them.
  std::vector<FiringAlert> firing_alerts() const;

 private:
  struct PartitionState;
  struct Verdict {  // one rule's evaluation, before what is told is decided
    AlertState before;
    std::optional<Transition> transition;
    MetricValue value;
    const config::Campaign* campaign = nullptr;
  };
  struct Staged {  // an outbox entry in the uncommitted batch
    Partition partition;
    std::uint64_t seq;
    AlertRecord record;
    std::string json;  // to_json(record): what the batch stores
    std::vector<std::string> sinks;
    TimePoint raised_by;  // input timestamp of the message that raised it (epoch: unknown)
  };

  static Millis reach(const config::Config& c);  // longest window + baseline of any rule
  PartitionState& partition(Partition p);
  AccountState& account(PartitionState& ps, std::string_view id);
  const std::vector<std::string>* brand_terms(const std::vector<std::string>& raw);
  EventResult apply(PartitionState& ps, const Event& ev);
  void apply_post(PartitionState& ps, AccountState& a, const Event& ev);
  void apply_engagement(PartitionState& ps, AccountState& a, const Event& ev);
  void advance_watermark(PartitionState& ps, TimePoint ts);
  // True when ts is more than pipeline.max_future_skew ahead of the wall clock
  // (the highest time read from it so far); reads the clock.
  bool too_far_ahead(TimePoint ts);
  void share_memory_bounds();
  // evaluation.cpp
  void evaluate(PartitionState& ps, TimePoint at);
  TimePoint windows_end(const PartitionState& ps) const;
  void evaluate_account(PartitionState& ps, AccountState& a, TimePoint at);
  void schedule(PartitionState& ps, AccountState& a, TimePoint at);
  void visit_posts(PartitionState& ps, const AccountState& a, TimePoint from, TimePoint to,
                   const PostVisitor& visit);
  void reset_batch();
  // Collects the write in flight (waiting for it when `block`): its alerts go to
  // the outbox, and the post caches may forget its posts.
  Result<void> settle(bool block);
  void fail(Error e);

  std::shared_ptr<const config::Config> cfg_;
  storage::StateStore& store_;
  Classifier* classifier_;
  Outbox& outbox_;
  const Clock& clock_;
  Decoder decoder_;
  NoiseControl noise_;
  Millis max_reach_;  // longest window + baseline of any rule
  std::map<Partition, std::unique_ptr<PartitionState>> partitions_;
  PartitionState* last_ = nullptr;
  // Raw brand terms -> normalised, shared by the accounts that have them.
  std::map<std::vector<std::string>, std::vector<std::string>> brand_terms_;

  std::unique_ptr<storage::Batch> batch_;
  std::size_t batch_events_ = 0;
  std::unique_ptr<storage::BatchWriter> writer_;
  std::unique_ptr<storage::Batch> spare_;  // a written batch, reused
  std::vector<Staged> in_flight_;          // the alerts of the batch being written
  std::shared_ptr<const storage::Snapshot> in_flight_snapshot_;  // the store before it
  std::size_t in_flight_events_ = 0;
  double in_flight_checkpoint_seconds_ = 0;
  std::chrono::steady_clock::time_point batch_started_;
  std::vector<Staged> staged_;  // outbox entries in the uncommitted batch
  std::vector<Verdict> verdicts_;
  std::vector<AccountState*> evaluating_;
  TimePoint arrival_;  // input timestamp of the message being processed (epoch: none)
  // The highest wall-clock time read so far, and that plus max_future_skew:
  // event times up to future_limit_ are accepted without reading the clock.
  TimePoint wall_high_ = TimePoint::min();
  TimePoint future_limit_ = TimePoint::min();
  std::vector<std::tuple<TimePoint, Millis, WindowFigures>> figures_;  // of one evaluation
  config::Rule scratch_rule_;  // a rule with a campaign's limits
  std::string matched_buf_;
  PostDetail detail_;  // reused: its strings keep their capacity
  PostDetail shown_;   // the same, for the evidence of an alert

  EngineStats stats_;
  BadInputHook bad_hook_;
  std::optional<Error> failure_;
  Checkpointer* checkpointer_ = nullptr;
  std::vector<Position> positions_;  // scratch for the checkpointer
  std::chrono::steady_clock::time_point retry_after_{};
};

}  // namespace kilter::pipeline

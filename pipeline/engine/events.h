// The engine's per-event path, between the source and the windows: decoding
// (and the time-ahead-of-the-clock check every source passes through), bad
// input (counted, logged, dead-lettered), duplicates, and applying an event to
// its account: a post is classified and staged with its detail, engagement is
// attributed to the post it names (the cache, then the store). Lateness and the
// watermark stay with the Engine, which evaluates before a crossing event lands.
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "config/config.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/engine/committer.h"
#include "pipeline/engine/partitions.h"
#include "pipeline/engine/stats.h"
#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/source.h"
#include "storage/state_store.h"

namespace kilter::pipeline {

// Called for each bad message (dead-letter hook); the offset advances regardless.
using BadInputHook = std::function<void(const SourceMessage&, const DecodeOutcome&)>;

// Where a bad message was and why, for the log: "TOPIC partition N offset O:
// REASON [FIELD]", the partition as the source numbers it (Kafka's, not the
// engine's packed one).
std::string describe_bad_input(const SourceMessage& m, const DecodeOutcome& o);

class EventPath {
 public:
  EventPath(const config::Config& cfg, storage::StateStore& store, Classifier& classifier,
            const Clock& clock, Partitions& partitions, Committer& committer, EngineStats& stats);
  // A new configuration (and classifier, when given).
  void reconfigure(const config::Config& cfg, Classifier* classifier);
  void set_bad_input_hook(BadInputHook hook) { bad_hook_ = std::move(hook); }

  // Decodes m into ev; an event time more than pipeline.max_future_skew ahead of
  // the wall clock is bad input too (one event stamped years ahead would move
  // the watermark there and make every later event late).
  DecodeOutcome decode(const SourceMessage& m, Event& ev) {
    auto outcome = decoder_.decode(m.payload, m.capacity, ev);
    if (outcome.ok && ev.ts > future_limit_ && too_far_ahead(ev.ts))
      outcome = DecodeOutcome{false, BadInput::future_timestamp, "ts"};
    return outcome;
  }
  // Counts, logs (once per reason, then every 10,000th) and dead-letters a bad message.
  void reject(const SourceMessage& m, const DecodeOutcome& outcome);
  // An event at or after the watermark: a duplicate, or applied to its account.
  EventResult accept(PartitionState& ps, const Event& ev);

 private:
  void apply_post(PartitionState& ps, AccountState& a, const Event& ev);
  // `post_hash`: hash64(ev.post_id), computed once by accept().
  void apply_engagement(PartitionState& ps, AccountState& a, const Event& ev,
                        std::uint64_t post_hash);
  // True when ts is more than pipeline.max_future_skew ahead of the wall clock
  // (the highest time read from it so far); reads the clock.
  bool too_far_ahead(TimePoint ts);

  const config::Config* cfg_;
  storage::StateStore& store_;
  Classifier* classifier_;
  const Clock& clock_;
  Partitions& partitions_;
  Committer& committer_;
  EngineStats& stats_;
  Decoder decoder_;
  BadInputHook bad_hook_;
  // The highest wall-clock time read so far, and that plus max_future_skew:
  // event times up to future_limit_ are accepted without reading the clock.
  TimePoint wall_high_ = TimePoint::min();
  TimePoint future_limit_ = TimePoint::min();
  std::string matched_buf_;
  PostDetail detail_;  // reused: its strings keep their capacity
};

}  // namespace kilter::pipeline

// The engine's orchestration: messages through the event path, the watermark
// and the evaluations it triggers, partitions coming and going,
// configurations, commits, the end of a file and quiet partitions.
#include "pipeline/engine/engine.h"

#include <spdlog/spdlog.h>

#include "common/time.h"

namespace kilter::pipeline {

Engine::Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
               Classifier& classifier, Outbox& outbox, const Clock& clock)
    : cfg_(std::move(cfg)),
      store_(store),
      partitions_(*cfg_, store_),
      committer_(*cfg_, store_, outbox, clock, partitions_, stats_),
      evaluator_(std::make_unique<Evaluator>(*cfg_, store_, committer_, partitions_, stats_)),
      events_(*cfg_, store_, classifier, clock, partitions_, committer_, stats_) {}

Engine::~Engine() = default;

Result<void> Engine::reconfigure(std::shared_ptr<const config::Config> cfg,
                                 Classifier* classifier) {
  if (auto r = commit(); !r) return r;
  if (committer_.pending())
    return Error{"the pending batch cannot be committed now (the source refused its positions)"};
  auto open = open_partitions();
  partitions_.reconfigure(*cfg);
  committer_.reconfigure(*cfg);
  evaluator_ = std::make_unique<Evaluator>(*cfg, store_, committer_, partitions_, stats_);
  events_.reconfigure(*cfg, classifier);
  cfg_ = std::move(cfg);
  for (auto p : open) open_partition(p);
  return ok();
}

std::array<std::size_t, 2> Engine::alert_state_counts() const {
  std::array<std::size_t, 2> out{};
  for (const auto& [p, ps] : partitions_.all()) {
    out[0] += ps->phases[static_cast<std::size_t>(AlertPhase::pending)];
    out[1] += ps->phases[static_cast<std::size_t>(AlertPhase::firing)];
  }
  return out;
}

PartitionState& Engine::open_or_find(Partition p) {
  if (auto* ps = partitions_.find(p)) return *ps;
  open_partition(p);
  return *partitions_.find(p);
}

std::optional<Offset> Engine::open_partition(Partition p) {
  if (auto* ps = partitions_.find(p)) return ps->meta.position;
  // The store must have every write (a failed one stops the engine: failure()).
  (void)committer_.settle(true);
  return partitions_.open(p);
}

void Engine::partition_started(Partition p, Offset start) {
  auto& ps = partition(p);
  ps.meta.position = start;
  ps.checkpointed = start;
  auto b = store_.new_batch();
  b->put_meta(p, ps.meta);
  if (auto r = store_.commit(*b, true); !r) fail(r.error());
}

Result<void> Engine::close_partition(Partition p) {
  if (auto r = commit(); !r) return r;
  if (committer_.pending_messages() > 0)
    return Error{"the positions were refused: the batch is still pending"};
  partitions_.erase(p);
  return ok();
}

void Engine::discard_uncommitted() {
  committer_.discard();
  partitions_.clear();
}

void Engine::partitions_revoked(std::span<const Partition> ps) {
  if (auto r = commit(); !r) return;  // failed for good: the daemon stops
  if (committer_.pending_messages() > 0) {
    discard_uncommitted();
    return;
  }
  for (auto p : ps) partitions_.erase(p);
}

Result<void> Engine::commit() {
  if (auto r = committer_.submit(); !r) return r;
  return committer_.settle(true);
}

void Engine::process(const SourceMessage& m) {
  if (failure()) return;
  auto& ps = partition(m.partition);
  arrival_ = m.appended;
  Event ev;
  EventResult result;
  if (auto outcome = events_.decode(m, ev); !outcome.ok) {
    result = EventResult::bad;
    events_.reject(m, outcome);
  } else {
    result = apply(ps, ev);
  }
  ++stats_.events[static_cast<std::size_t>(result)];
  ps.meta.position = m.next;
  ps.meta_dirty = true;
  committer_.count_message();
}

EventResult Engine::apply(PartitionState& ps, const Event& ev) {
  auto lateness = cfg_->pipeline.allowed_lateness;
  if (ps.has_events && ev.ts < ps.meta.max_event_time - lateness) return EventResult::late;
  // Crossing a bucket boundary evaluates the closed window before this event
  // lands (and commits, which starts a new batch). A duplicate never moves the
  // watermark: its original, with the same time, already did.
  advance_watermark(ps, ev.ts);
  if (failure()) return EventResult::ok;
  return events_.accept(ps, ev);
}

void Engine::advance_watermark(PartitionState& ps, TimePoint ts) {
  if (ps.has_events && ts <= ps.meta.max_event_time) return;
  auto bucket = cfg_->storage.bucket;
  auto lateness = cfg_->pipeline.allowed_lateness;
  if (!ps.has_events) {
    // The first event opens the partition's clock; nothing before it can be evaluated.
    ps.has_events = true;
    ps.meta.max_event_time = ts;
    ps.meta.last_evaluated = bucket_start(ts - lateness, bucket);
    return;
  }
  auto boundary = bucket_start(ts - lateness, bucket);
  if (boundary > ps.meta.last_evaluated)
    if (auto r = evaluator_->evaluate(ps, boundary, arrival_); !r) fail(r.error());
  ps.meta.max_event_time = ts;
  ps.seen.expire(ts - lateness);
}

Result<void> Engine::finish() {
  for (auto& [p, ps] : partitions_.all()) {
    if (!ps->has_events) continue;
    auto end = bucket_start(ps->meta.max_event_time, cfg_->storage.bucket) + cfg_->storage.bucket;
    if (end > ps->meta.last_evaluated)
      if (auto r = evaluator_->evaluate(*ps, end, arrival_); !r) fail(r.error());
    if (failure()) return *failure();
  }
  if (auto r = commit(); !r) return r;
  return commit();  // the deletes of what was just delivered
}

void Engine::advance_idle(Partition p, TimePoint now) {
  if (failure()) return;
  auto* found = partitions_.find(p);
  if (found == nullptr || !found->has_events) return;
  auto& ps = *found;
  if (now <= ps.meta.max_event_time) return;
  const auto before = stats_.evaluations;
  arrival_ = now;  // the wall clock raises these alerts
  advance_watermark(ps, now);
  ps.meta_dirty = true;
  stats_.idle_evaluations += stats_.evaluations - before;
  // No message may come to carry the new clock into a batch: commit it now.
  if (auto r = commit(); !r) fail(r.error());
}

}  // namespace kilter::pipeline

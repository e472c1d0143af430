// The engine's commits: one atomic batch with everything pending, handed to the
// writer thread; its alerts go to the sinks once it is written.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipeline/engine/engine_state.h"

namespace kilter::pipeline {

bool Engine::commit_due() const {
  if (batch_events_ == 0 && staged_.empty()) return false;
  const auto now = clock_.steady_now();
  if (now < retry_after_) return false;  // a refused commit is not retried at once
  if (batch_events_ >= cfg_->storage.commit_max_events) return true;
  const auto age = now - batch_started_;
  // Alerts wait for their commit, but a batch younger than a tenth of the
  // interval (at most 100 ms) is given time to grow: while catching up, alerts
  // come with most batches, and many small commits cost more than the wait.
  const auto alert_wait = std::min<std::chrono::steady_clock::duration>(
      cfg_->storage.commit_interval / 10, std::chrono::milliseconds(100));
  if (!staged_.empty() && age >= alert_wait) return true;
  return age >= cfg_->storage.commit_interval;
}

bool Engine::backlogged() const {
  return batch_events_ >= 2 * cfg_->storage.commit_max_events;
}

Result<void> Engine::commit() {
  if (auto r = commit_async(); !r) return r;
  return settle(true);
}

Result<void> Engine::commit_async() {
  if (failure_) return *failure_;
  if (auto r = settle(true); !r) return r;  // one write at a time
  const auto started = clock_.steady_now();
  const auto messages = batch_events_;
  if (checkpointer_ != nullptr) {
    positions_.clear();
    for (auto& [p, ps] : partitions_)
      if (ps->meta.position != ps->checkpointed) positions_.push_back({p, ps->meta.position});
    if (!positions_.empty()) {
      if (auto r = checkpointer_->checkpoint(positions_); !r) {
        // Not an engine failure: the batch stays, grows, and is offered again.
        auto n = ++stats_.commits_deferred;
        if (n == 1 || n % 100 == 0)
          spdlog::warn("commit deferred ({} so far): {}; {} message(s) wait", n, r.error().message,
                       batch_events_);
        retry_after_ = clock_.steady_now() + std::chrono::milliseconds(200);
        return ok();
      }
      for (const auto& pos : positions_) partitions_[pos.partition]->checkpointed = pos.next;
    }
  }
  const auto evicted_before = stats_.seen_ids_evicted;
  for (auto& [p, ps] : partitions_) {
    for (auto* a : ps->dirty) {
      a->windows.drain_pending([&, p = p](TimePoint start, const BucketCounts& counts) {
        batch_->merge_bucket(p, a->id, start, counts);
      });
      a->dirty = false;
    }
    ps->dirty.clear();
    batch_->put_seen_ids(p, ps->meta.position, ps->seen.fresh());
    ps->seen.clear_fresh();
    stats_.seen_ids_evicted += ps->seen.take_evicted();
    if (ps->meta_dirty) {
      batch_->put_meta(p, ps->meta);
      ps->meta_dirty = false;
    }
    // The batch's posts stay visible to the evidence of alerts until the store
    // shows them (see visit_posts).
    std::swap(ps->building, ps->writing);
    ps->building.clear();
    ps->batch_posts = 0;
  }
  if (evicted_before == 0 && stats_.seen_ids_evicted > 0)
    spdlog::warn(
        "more event ids within the allowed lateness than pipeline.dedupe_max_ids ({}): the "
        "oldest are forgotten early, and a redelivery of one of them would count twice",
        cfg_->pipeline.dedupe_max_ids);
  retry_after_ = {};
  if (batch_->empty()) {
    reset_batch();
    return ok();
  }
  stats_.batch_messages.observe(static_cast<double>(messages));
  in_flight_checkpoint_seconds_ =
      std::chrono::duration<double>(clock_.steady_now() - started).count();
  in_flight_ = std::move(staged_);
  staged_.clear();
  in_flight_events_ = batch_events_;
  // Reads of the store until the write is collected see it as it was before.
  in_flight_snapshot_ = store_.snapshot();
  writer_->submit(std::move(batch_), false);
  reset_batch();
  return ok();
}

Result<void> Engine::settle(bool block) {
  if (!writer_->busy() || (!block && !writer_->done())) return ok();
  auto [r, batch] = writer_->wait();
  if (!r) {
    fail(r.error());
    return r;
  }
  spare_ = std::move(batch);
  in_flight_snapshot_.reset();
  for (auto& [p, ps] : partitions_) ps->writing.clear();
  ++stats_.commits;
  stats_.commit_seconds.observe(in_flight_checkpoint_seconds_ + writer_->last_seconds());
  in_flight_events_ = 0;
  // The store has every post of that batch: the caches may let go of them.
  for (auto& [p, ps] : partitions_) ps->posts.trim(ps->batch_posts);
  const auto now = clock_.now();
  for (auto& s : in_flight_) {
    if (s.raised_by != TimePoint{})
      stats_.alert_latency_seconds.observe(
          std::max(0.0, std::chrono::duration<double>(now - s.raised_by).count()));
    outbox_.committed(s.partition, s.seq, std::move(s.record), std::move(s.json),
                      std::move(s.sinks));
  }
  in_flight_.clear();
  return ok();
}

}  // namespace kilter::pipeline

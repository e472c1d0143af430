#include "pipeline/engine/committer.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "pipeline/delivery/record_format.h"

namespace kilter::pipeline {

Committer::Committer(const config::Config& cfg, storage::StateStore& store, Outbox& outbox,
                     const Clock& clock, Partitions& partitions, EngineStats& stats)
    : cfg_(&cfg),
      store_(store),
      outbox_(outbox),
      clock_(clock),
      partitions_(partitions),
      stats_(stats),
      writer_(std::make_unique<storage::BatchWriter>(store_, clock_)) {
  reset_batch();
}

Committer::~Committer() = default;

void Committer::reset_batch() {
  batch_ = spare_ ? std::move(spare_) : store_.new_batch();
  batch_events_ = 0;
  batch_started_ = clock_.steady_now();
}

void Committer::fail(Error e) {
  if (!failure_)
    spdlog::critical(
        "engine stopped: {}; nothing after the last written batch is kept, and the next start "
        "resumes from there",
        e.message);
  failure_ = std::move(e);
}

void Committer::stage(PartitionState& ps, AlertRecord alert, std::vector<std::string> sinks,
                      TimePoint raised_by) {
  auto json = to_json(alert);
  auto seq = ps.meta.next_outbox_seq++;
  batch_->put_outbox(ps.id, seq, json, sinks);
  staged_.push_back(Staged{ps.id, seq, std::move(alert), std::nullopt, std::move(json),
                           std::move(sinks), raised_by});
}

void Committer::stage(PartitionState& ps, DigestRecord digest, std::vector<std::string> sinks) {
  auto json = to_json(digest);
  auto seq = ps.meta.next_outbox_seq++;
  batch_->put_outbox(ps.id, seq, json, sinks);
  staged_.push_back(
      Staged{ps.id, seq, {}, std::move(digest), std::move(json), std::move(sinks), TimePoint{}});
}

void Committer::deliver(std::vector<Staged>& alerts) {
  const auto now = clock_.now();
  for (auto& s : alerts) {
    if (s.raised_by != TimePoint{})
      stats_.alert_latency_seconds.observe(
          std::max(0.0, std::chrono::duration<double>(now - s.raised_by).count()));
    if (s.digest)
      outbox_.committed(s.partition, s.seq, std::move(*s.digest), std::move(s.json),
                        std::move(s.sinks));
    else
      outbox_.committed(s.partition, s.seq, std::move(s.record), std::move(s.json),
                        std::move(s.sinks));
  }
  alerts.clear();
}

bool Committer::due() const {
  if (!pending()) return false;
  const auto now = clock_.steady_now();
  if (now < retry_after_) return false;  // a refused commit is not offered again at once
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

void Committer::defer(const Error& e) {
  // A refusal that may pass by itself is offered again after a short backoff;
  // one that cannot (the assignment is gone, the group moved on) waits for the
  // next commit point, and a revocation gives the batch up meanwhile.
  auto n = ++stats_.commits_deferred;
  if (n == 1 || n % 100 == 0)
    spdlog::warn("commit deferred ({} so far): {}{}; {} message(s) wait", n, e.message,
                 e.retriable() ? "" : " (refused)", batch_events_);
  const Millis wait = e.retriable()
                          ? Millis{kRetryBackoff}
                          : std::max(Millis{kRetryBackoff}, cfg_->storage.commit_interval);
  retry_after_ = clock_.steady_now() + wait;
}

bool Committer::offer_positions() {
  if (checkpointer_ == nullptr) return true;
  positions_.clear();
  const bool changelog = sync_ != nullptr && sync_->enabled();
  for (auto& [p, ps] : partitions_.all()) {
    // With a changelog, a partition whose chain moved is offered even when its
    // position did not (its state changed): the group names the new head.
    const bool head_moved = changelog && sync_->pending(p);
    if (ps->meta.position != ps->checkpointed || head_moved)
      positions_.push_back({p, ps->meta.position, changelog ? sync_->metadata(p) : std::string{}});
  }
  if (positions_.empty()) return true;
  if (auto r = checkpointer_->checkpoint(positions_); !r) {
    defer(r.error());
    return false;
  }
  for (const auto& pos : positions_) partitions_.all()[pos.partition]->checkpointed = pos.next;
  return true;
}

void Committer::drain() {
  // With a changelog, the sinks' confirmations of held partitions are part of
  // their state: a failover does not deliver again what was delivered.
  if (sync_ != nullptr) outbox_.stage_confirmations(*batch_);
  const auto evicted_before = stats_.seen_ids_evicted;
  for (auto& [p, ps] : partitions_.all()) {
    for (auto* a : ps->dirty) {
      a->windows.drain_pending([&, p = p](TimePoint start, const BucketCounts& counts) {
        batch_->merge_bucket(p, a->id.view(), start, counts);
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
  }
  if (evicted_before == 0 && stats_.seen_ids_evicted > 0)
    spdlog::warn(
        "more event ids within the allowed lateness than pipeline.dedupe_max_ids ({}): the "
        "oldest are forgotten early, and a redelivery of one of them would count twice",
        cfg_->pipeline.dedupe_max_ids);
}

Result<void> Committer::submit() {
  if (failure_) return *failure_;
  const bool changelog = sync_ != nullptr && sync_->enabled();
  // One write at a time. With a changelog, this batch's records are sent while
  // the previous batch is still being written: its heads were accepted before
  // its write began, so this batch links to them either way, and a crash before
  // that write lands leaves the group ahead of the store, which a restore
  // mends. Only snapshots and new chains need the store as its heads say.
  if (!changelog || sync_->needs_store(partitions_, clock_.now()))
    if (auto r = settle(true); !r) return r;
  const auto started = clock_.steady_now();
  const auto messages = batch_events_;
  if (changelog) {
    // The changelog first (exact: whatever this batch does reaches it before
    // its positions go to the group), then the group commit naming the heads,
    // then the local write with the heads in the meta.
    if (auto r = sync_->prepare(partitions_, clock_.now()); !r) {
      defer(r.error());
      return ok();
    }
    drain();
    if (auto r = sync_->send(partitions_, *batch_); !r) {
      defer(r.error());
      return ok();
    }
    if (!offer_positions()) {
      sync_->abandon();
      return ok();
    }
    if (auto r = settle(true); !r) return r;
    sync_->accepted(partitions_, *batch_);
  } else {
    if (!offer_positions()) return ok();
    drain();
  }
  for (auto& [p, ps] : partitions_.all()) {
    // The batch's posts stay visible to the evidence of alerts until the store
    // shows them (see Evaluator::visit_posts).
    std::swap(ps->building, ps->writing);
    ps->building.clear();
    ps->batch_posts = 0;
  }
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

Result<void> Committer::settle(bool block) {
  if (!writer_->busy() || (!block && !writer_->done())) return ok();
  auto [r, batch] = writer_->wait();
  if (!r) {
    fail(r.error());
    return r;
  }
  spare_ = std::move(batch);
  in_flight_snapshot_.reset();
  for (auto& [p, ps] : partitions_.all()) ps->writing.clear();
  ++stats_.commits;
  stats_.commit_seconds.observe(in_flight_checkpoint_seconds_ + writer_->last_seconds());
  in_flight_events_ = 0;
  // The store has every post of that batch: the caches may let go of them.
  for (auto& [p, ps] : partitions_.all()) ps->posts.trim(ps->batch_posts);
  deliver(in_flight_);
  return ok();
}

void Committer::discard() {
  (void)settle(true);  // what the source accepted is written, whatever comes after
  if (pending()) {
    ++stats_.batches_discarded;
    stats_.messages_discarded += batch_events_;
    spdlog::warn(
        "gave up {} uncommitted message(s) and {} alert(s) of {} partition(s): the "
        "source refused their positions, so they are read again by the partitions' "
        "next owner",
        batch_events_, staged_.size(), partitions_.all().size());
  }
  staged_.clear();
  reset_batch();
}

}  // namespace kilter::pipeline

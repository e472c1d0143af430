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

bool Committer::offer_positions(const std::map<Partition, storage::PartitionMeta>* metas) {
  if (checkpointer_ == nullptr) return true;
  positions_.clear();
  const bool changelog = sync_ != nullptr && sync_->enabled();
  for (auto& [p, ps] : partitions_.all()) {
    // With a changelog, a partition whose chain moved is offered even when its
    // position did not (its state changed): the group names the new head.
    const bool head_moved = changelog && sync_->pending(p);
    auto position = ps->meta.position;
    if (metas != nullptr) {
      // A partition opened since the batch was drained has nothing in it.
      auto it = metas->find(p);
      if (it == metas->end()) continue;
      position = it->second.position;
    }
    if (position != ps->checkpointed || head_moved)
      positions_.push_back({p, position, changelog ? sync_->metadata(p) : std::string{}});
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
    // The dirty accounts are scattered in memory: each one's state, then its
    // pending deltas, is asked for a few accounts ahead (two cache misses an
    // account otherwise, most of this loop's time).
    const auto& dirty = ps->dirty;
    constexpr std::size_t kAhead = 8;
    for (std::size_t i = 0; i < dirty.size(); ++i) {
      if (i + kAhead < dirty.size()) {
        __builtin_prefetch(dirty[i + kAhead]);
        dirty[i + kAhead]->windows.prefetch_vector();
      }
      if (i + kAhead / 2 < dirty.size()) dirty[i + kAhead / 2]->windows.prefetch_pending();
      auto* a = dirty[i];
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

Result<void> Committer::submit(bool async) {
  if (failure_) return *failure_;
  // One batch in the changelog at a time: a sent one is finished first (an
  // async submit goes on building while it is not answered).
  if (sent_) {
    const auto deferred = stats_.commits_deferred;
    if (auto r = poll(!async); !r) return r;
    // Still unanswered, or refused (deferred: given back, offered again later).
    if (sent_ || stats_.commits_deferred != deferred) return ok();
  }
  const bool changelog = sync_ != nullptr && sync_->enabled();
  // One write at a time. With a changelog, this batch's records are sent while
  // the previous batch is still being written: its heads were accepted before
  // its write began, so this batch links to them either way, and a crash before
  // that write lands leaves the group ahead of the store, which a restore
  // mends. Only snapshots and new chains need the store as its heads say.
  if (!changelog || sync_->needs_store(partitions_, clock_.now()))
    if (auto r = settle(true); !r) return r;
  const auto started = clock_.steady_now();
  if (changelog) {
    // The changelog first (exact: whatever this batch does reaches it before
    // its positions go to the group), then the group commit naming the heads,
    // then the local write with the heads in the meta.
    if (auto r = sync_->prepare(partitions_, clock_.now()); !r) {
      defer(r.error());
      return ok();
    }
    drain();
    if (async) {
      // Sent without waiting: poll() finishes the commit when the changelog has
      // answered, with the positions and metas of now; events go on into a new
      // batch meanwhile.
      Sent s;
      for (auto& [p, ps] : partitions_.all()) s.metas.emplace(p, ps->meta);
      if (auto r = sync_->send(partitions_, *batch_, false); !r) {
        defer(r.error());
        return ok();
      }
      s.batch = std::move(batch_);
      s.staged = std::move(staged_);
      staged_.clear();
      s.events = batch_events_;
      s.started = started;
      for (auto& [p, ps] : partitions_.all()) {
        std::swap(ps->building, ps->sent);
        ps->building.clear();
        ps->sent_posts = ps->batch_posts;
        ps->batch_posts = 0;
      }
      sent_ = std::move(s);
      retry_after_ = {};
      reset_batch();
      return ok();
    }
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
    deliver(staged_);  // durable in the changelog, named by the group
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
  auto events = batch_events_;
  write(std::move(batch_), std::move(staged_), events, started);
  staged_.clear();
  reset_batch();
  return ok();
}

Result<void> Committer::poll(bool block) {
  if (!sent_ || failure_) return ok();
  // Not answered yet, or the write before it still running: later (the event
  // loop does not wait for either).
  if (!block && (!sync_->answered() || (writer_->busy() && !writer_->done()))) return ok();
  if (auto r = sync_->finish_send(); !r) {
    give_back();
    defer(r.error());
    return ok();
  }
  if (!offer_positions(&sent_->metas)) {
    sync_->abandon();
    give_back();
    return ok();
  }
  if (auto r = settle(true); !r) return r;
  auto s = std::move(*sent_);
  sent_.reset();
  sync_->accepted(partitions_, *s.batch, &s.metas);
  // The batch is in the changelog and the group names it: its alerts are as
  // durable as they will be, so the sinks get them now rather than after the
  // local write (a crash before that write restores the batch, its outbox
  // entries included, from the changelog).
  deliver(s.staged);
  for (auto& [p, ps] : partitions_.all()) {
    std::swap(ps->sent, ps->writing);
    ps->sent.clear();
    ps->sent_posts = 0;
  }
  write(std::move(s.batch), std::move(s.staged), s.events, s.started);
  return ok();
}

void Committer::give_back() {
  auto s = std::move(*sent_);
  sent_.reset();
  s.batch->absorb(*batch_);
  std::swap(batch_, s.batch);
  if (!spare_) spare_ = std::move(s.batch);  // the emptied one, for reuse
  for (auto& x : staged_) s.staged.push_back(std::move(x));
  staged_ = std::move(s.staged);
  batch_events_ += s.events;
  batch_started_ = std::min(batch_started_, s.started);
  for (auto& [p, ps] : partitions_.all()) {
    ps->sent.append(ps->building);
    std::swap(ps->sent, ps->building);
    ps->sent.clear();
    ps->batch_posts += ps->sent_posts;
    ps->sent_posts = 0;
  }
}

void Committer::write(std::unique_ptr<storage::Batch> batch, std::vector<Staged> staged,
                      std::size_t events, std::chrono::steady_clock::time_point started) {
  if (batch->empty()) {
    if (!spare_) spare_ = std::move(batch);
    deliver(staged);  // nothing to write: nothing to wait for
    return;
  }
  stats_.batch_messages.observe(static_cast<double>(events));
  in_flight_checkpoint_seconds_ =
      std::chrono::duration<double>(clock_.steady_now() - started).count();
  in_flight_ = std::move(staged);
  in_flight_events_ = events;
  // Reads of the store until the write is collected see it as it was before.
  in_flight_snapshot_ = store_.snapshot();
  writer_->submit(std::move(batch), false);
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
  for (auto& [p, ps] : partitions_.all()) ps->posts.trim(ps->batch_posts + ps->sent_posts);
  deliver(in_flight_);
  return ok();
}

void Committer::discard() {
  // A batch still awaiting the changelog was not accepted by the group: it is
  // given up with the rest, its records orphans (waited for first: the
  // changelog's next flush must cover only what is appended after it).
  if (sent_) {
    (void)sync_->finish_send();
    sync_->abandon();
    give_back();
  }
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

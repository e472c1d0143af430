// The engine's orchestration: messages through the event path, the watermark
// and the evaluations it triggers, partitions coming and going,
// configurations, commits, the end of a file and quiet partitions.
#include "pipeline/engine/engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/time.h"

namespace kilter::pipeline {

namespace {
// What a restore of the partition at `address` to `head` needs (the restorer reads
// the local head itself when it starts).
changelog::RestoreRequest restore_request(const ChainAddress& address,
                                          const changelog::ChainHead& head, Offset committed) {
  changelog::RestoreRequest req;
  req.key = address.key;
  req.head = head;
  req.committed = committed.value();
  return req;
}
}  // namespace

Engine::Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
               Classifier& classifier, Outbox& outbox, const Clock& clock)
    : cfg_(std::move(cfg)),
      store_(store),
      outbox_(outbox),
      partitions_(*cfg_, store_),
      committer_(*cfg_, store_, outbox, clock, partitions_, stats_),
      evaluator_(
          std::make_unique<Evaluator>(*cfg_, store_, committer_, partitions_, stats_, clock)),
      events_(*cfg_, store_, classifier, clock, partitions_, committer_, stats_),
      clock_(clock) {}

Engine::~Engine() {
  if (sync_) outbox_.record_with({});
}

void Engine::enable_changelog(ChangelogOptions options, ReaderFactory make_reader,
                              Millis restore_timeout, bool standby) {
  standby_ = standby;
  sync_ = std::make_unique<ChangelogSync>(options, store_, stats_);
  committer_.set_changelog(sync_.get());
  outbox_.record_with([this](Partition p) { return partitions_.all().contains(p); });
  restorer_ = std::make_unique<Restorer>(store_, std::move(make_reader), restore_timeout,
                                         options.restore_hold);
}

Assignment Engine::partition_assigned(Partition p, const GroupOffset& group) {
  names_[p] = fmt::format("{}:{}", group.topic, group.source_partition);
  if (!sync_) return {open_partition(p), false};
  // A batch still awaiting the changelog is committed (or given back) before
  // any chain changes hands.
  (void)committer_.poll(true);
  // With a changelog the outbox moves with the partition: what it owes is
  // delivered by whoever holds it.
  auto open = [&]() -> Assignment {
    auto position = open_partition(p);
    outbox_.restore(p);
    return {position, false};
  };
  // A standby's catching up on p stops; what it wrote is read when the
  // restore starts (it may have moved the store since this call).
  const bool following = following_.erase(p) > 0;
  if (following) restorer_->cancel(p);
  sync_->assigned(p, sync_->address(group.topic, group.source_partition));
  if (!group.committed) return open();
  auto named = changelog::read_commit_metadata(group.metadata);
  if (!named) {
    ++stats_.restores_failed;
    spdlog::error(
        "{} [{}]: the group's offset {} names no readable changelog head ({}): the partition "
        "goes on from this instance's own state, which may not be exact",
        group.topic, group.source_partition, group.committed->value(), named.error().message);
    return open();
  }
  if (!*named) return open();  // no chain yet (or an older release)
  const auto& address = *sync_->address_of(p);
  if (!following && holds(p, address, *group.committed, **named))
    return open();  // this store holds that head: nothing to restore
  // Nothing of the partition may be in memory or in the batch: it is restored
  // underneath.
  partitions_.erase(p);
  sync_->forget(p);
  auto ticket = restorer_->start(p, restore_request(address, **named, *group.committed));
  warming_[p] = Warming{ticket, *group.committed};
  spdlog::info("{} [{}]: warming: restoring its state as of offset {} from the changelog",
               group.topic, group.source_partition, group.committed->value());
  return {std::nullopt, true};
}

void Engine::poll() {
  (void)committer_.poll();  // a batch the changelog answered for: committed now
  (void)committer_.settle(false);
  if (!restorer_ || (warming_.empty() && following_.empty())) return;
  for (auto& done : restorer_->take_done()) {
    auto f = following_.find(done.partition);
    if (f == following_.end() || f->second != done.ticket) {
      warmed(done);
      continue;
    }
    following_.erase(f);
    if (done.result) {
      ++stats_.standby_updates;
    } else {
      // Not an error of the daemon: the partition is another member's; its
      // restore, if it comes here, reads what it needs.
      if (stats_.standby_failures++ == 0)
        spdlog::warn(
            "standby: following {} failed: {} (counted in "
            "kilter_changelog_standby_updates_total{{result=\"failed\"}})",
            partition_name(done.partition), done.result.error().message);
    }
  }
}

void Engine::follow(std::span<const GroupPartition> partitions) {
  if (!restorer_ || !standby_) return;
  for (const auto& g : partitions) {
    const auto p = g.partition;
    if (!g.committed || partitions_.find(p) != nullptr || warming_.contains(p) ||
        following_.contains(p))
      continue;
    auto named = changelog::read_commit_metadata(g.metadata);
    if (!named || !*named) continue;  // no chain to follow
    const auto address = sync_->address(g.topic, g.source_partition);
    if (names_.find(p) == names_.end())
      names_[p] = fmt::format("{}:{}", g.topic, g.source_partition);
    if (holds(p, address, *g.committed, **named)) continue;  // up to date
    following_[p] = restorer_->start(p, restore_request(address, **named, *g.committed));
  }
}

bool Engine::holds(Partition p, const ChainAddress& address, Offset committed,
                   const changelog::ChainHead& named) {
  auto local = store_.meta(p);
  return local && local->chain && local->position == committed &&
         to_changelog(*local->chain, address.changelog_partition) == named;
}

void Engine::warmed(RestoreDone& done) {
  auto it = warming_.find(done.partition);
  if (it == warming_.end() || it->second.ticket != done.ticket) return;  // revoked meanwhile
  const auto committed = it->second.committed;
  warming_.erase(it);
  const auto p = done.partition;
  const auto name = partition_name(p);
  if (done.result) {
    const auto& st = *done.result;
    if (st.kind == changelog::RestoreStats::Kind::full) ++stats_.restores_full;
    if (st.kind == changelog::RestoreStats::Kind::partial) ++stats_.restores_partial;
    using Kind = changelog::RestoreStats::Kind;
    spdlog::info("{}: restored ({}, {} record(s), {} byte(s) applied); consuming from offset {}",
                 name,
                 st.kind == Kind::full      ? "full"
                 : st.kind == Kind::partial ? "partial"
                                            : "nothing to apply: a standby had it all",
                 st.records_applied, st.bytes_applied, committed.value());
  } else {
    // Never a silent fresh state: said, counted, and the partition goes on from
    // what this store has, at the group's offset, with a chain of its own.
    ++stats_.restores_failed;
    spdlog::error(
        "{}: restore failed: {}; the partition goes on from this instance's own state at offset "
        "{}, which may not be exact (see kilter_changelog_restores_total{{result=\"failed\"}})",
        name, done.result.error().message, committed.value());
    auto meta = store_.meta(p).value_or(storage::PartitionMeta{});
    meta.position = committed;
    meta.chain.reset();
    auto b = store_.new_batch();
    b->put_meta(p, meta);
    if (auto r = store_.commit(*b, true); !r) fail(r.error());
  }
  auto position = open_partition(p);
  // The alerts the partition's previous owner still owed are owed by this one.
  outbox_.restore(p);
  warmed_.push_back(Position{p, position.value_or(committed), {}});
}

std::vector<Position> Engine::take_warmed() {
  std::vector<Position> out;
  out.swap(warmed_);
  return out;
}

std::string Engine::partition_name(Partition p) const {
  auto it = names_.find(p);
  return it != names_.end() ? it->second : std::to_string(p.value());
}

std::vector<Partition> Engine::warming() const {
  std::vector<Partition> out;
  for (const auto& [p, w] : warming_) out.push_back(p);
  return out;
}

Result<void> Engine::reconfigure(std::shared_ptr<const config::Config> cfg,
                                 Classifier* classifier) {
  if (auto r = commit(); !r) return r;
  if (committer_.pending())
    return Error{"the pending batch cannot be committed now (the source refused its positions)"};
  auto open = open_partitions();
  partitions_.reconfigure(*cfg);
  committer_.reconfigure(*cfg);
  evaluator_ = std::make_unique<Evaluator>(*cfg, store_, committer_, partitions_, stats_, clock_);
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
  // A warming partition's state is the restore's to write.
  if (warming_.contains(p)) return;
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
  if (sync_)
    for (auto p : open_partitions()) sync_->forget(p);
  partitions_.clear();
}

void Engine::partitions_revoked(std::span<const Partition> ps) {
  for (auto p : ps) {
    if (warming_.erase(p) > 0) restorer_->cancel(p);
    std::erase_if(warmed_, [&](const Position& w) { return w.partition == p; });
  }
  if (auto r = commit(); !r) return;  // failed for good: the daemon stops
  if (committer_.pending_messages() > 0) {
    discard_uncommitted();
    return;
  }
  for (auto p : ps) {
    partitions_.erase(p);
    if (sync_) sync_->forget(p);
  }
}

Result<void> Engine::commit() {
  if (auto r = committer_.submit(); !r) return r;
  return committer_.settle(true);
}

void Engine::process(const SourceMessage& m) {
  if (failure()) return;
  // A warming partition is paused at the source, which seeks it to its restored
  // position when it is warmed: a message fetched before the pause is dropped.
  if (!warming_.empty() && warming_.contains(m.partition)) return;
  auto& ps = partition(m.partition);
  // A changelog chain starts from stored state: a partition with none yet
  // (the source could not say where it starts) is stored empty, as of here,
  // before its first message counts.
  if (sync_ && ps.checkpointed.value() < 0) partition_started(m.partition, m.offset);
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
    evaluator_->start(ps, ts);
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

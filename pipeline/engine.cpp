#include "pipeline/engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <spdlog/spdlog.h>

#include "common/time.h"
#include "pipeline/alert_record.h"
#include "pipeline/alerting.h"
#include "pipeline/rules.h"

namespace kilter::pipeline {

std::string_view to_string(EventResult r) {
  static constexpr std::string_view kNames[] = {"ok", "bad", "late", "duplicate"};
  return kNames[static_cast<std::size_t>(r)];
}

struct Engine::PartitionState {
  Partition id;
  storage::PartitionMeta meta;
  bool has_events = false;  // meta.max_event_time is meaningful
  std::unordered_map<std::string, std::unique_ptr<AccountState>, StrHash, std::equal_to<>> accounts;
  std::vector<AccountState*> dirty;
  std::vector<AccountState*> sorted;  // by id, for a deterministic evaluation order
  bool sorted_stale = false;
  bool meta_dirty = false;
  Offset checkpointed{-1};  // the position the checkpointer last accepted (or was loaded)
};

Engine::Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
               Classifier& classifier, Outbox& outbox, const Clock& clock)
    : cfg_(std::move(cfg)),
      store_(store),
      classifier_(&classifier),
      outbox_(outbox),
      clock_(clock),
      decoder_(cfg_->pipeline.max_event_bytes),
      noise_(*cfg_),
      max_reach_(reach(*cfg_)) {
  reset_batch();
}

Millis Engine::reach(const config::Config& c) {
  Millis out = c.storage.bucket;
  for (const auto& [name, profile] : c.profiles)
    for (const auto& r : profile.rules)
      out = std::max(out, r.window + r.baseline.value_or(Millis{0}));
  return out;
}

Result<void> Engine::reconfigure(std::shared_ptr<const config::Config> cfg,
                                 Classifier* classifier) {
  if (auto r = commit(); !r) return r;
  if (batch_events_ > 0 || !staged_.empty())
    return Error{"the pending batch cannot be committed now (the source refused its positions)"};
  auto open = open_partitions();
  partitions_.clear();
  last_ = nullptr;
  cfg_ = std::move(cfg);
  noise_ = NoiseControl(*cfg_);
  max_reach_ = reach(*cfg_);
  if (classifier != nullptr) classifier_ = classifier;
  for (auto p : open) open_partition(p);
  return ok();
}

std::array<std::size_t, 2> Engine::alert_state_counts() const {
  std::array<std::size_t, 2> out{};
  for (const auto& [p, ps] : partitions_)
    for (const auto& [id, a] : ps->accounts)
      for (const auto& s : a->alerts) {
        if (s.phase == storage::AlertPhase::pending) ++out[0];
        if (s.phase == storage::AlertPhase::firing) ++out[1];
      }
  return out;
}

Engine::~Engine() = default;

void Engine::reset_batch() {
  batch_ = store_.new_batch();
  batch_events_ = 0;
  batch_started_ = clock_.steady_now();
  batch_seen_.clear();
  batch_posts_.clear();
  arena_block_ = 0;  // the blocks are kept and reused by the next batch
  arena_used_ = 0;
}

std::string_view Engine::remember(std::string_view s) {
  constexpr std::size_t kBlock = 1 << 20;
  if (arena_block_ >= arena_.size() || arena_used_ + s.size() > arena_[arena_block_].size) {
    if (arena_block_ < arena_.size()) ++arena_block_;
    if (arena_block_ >= arena_.size() || arena_[arena_block_].size < s.size()) {
      auto cap = std::max(kBlock, s.size());
      arena_.insert(arena_.begin() + static_cast<std::ptrdiff_t>(arena_block_),
                    ArenaBlock{std::make_unique<char[]>(cap), cap});
    }
    arena_used_ = 0;
  }
  char* dst = arena_[arena_block_].data.get() + arena_used_;
  std::memcpy(dst, s.data(), s.size());
  arena_used_ += s.size();
  return {dst, s.size()};
}

void Engine::fail(Error e) {
  if (!failure_) spdlog::critical("engine stopped: {}", e.message);
  failure_ = std::move(e);
}

Engine::PartitionState& Engine::partition(Partition p) {
  if (last_ != nullptr && last_->id == p) return *last_;
  auto it = partitions_.find(p);
  if (it == partitions_.end()) {
    open_partition(p);
    it = partitions_.find(p);
  }
  last_ = it->second.get();
  return *last_;
}

std::optional<Offset> Engine::open_partition(Partition p) {
  if (auto it = partitions_.find(p); it != partitions_.end()) return it->second->meta.position;
  auto ps = std::make_unique<PartitionState>();
  ps->id = p;
  std::optional<Offset> position;
  if (auto meta = store_.meta(p)) {
    ps->meta = *meta;
    ps->has_events = meta->max_event_time != TimePoint{};
    position = meta->position;
    ps->checkpointed = meta->position;
  }
  auto& raw = *ps;
  partitions_.emplace(p, std::move(ps));
  if (raw.has_events) {
    auto from = std::min(raw.meta.last_evaluated,
                         bucket_start(raw.meta.max_event_time - cfg_->pipeline.allowed_lateness,
                                      cfg_->storage.bucket)) -
                max_reach_;
    std::size_t buckets = 0;
    store_.scan_buckets(p, from,
                        [&](std::string_view acct, TimePoint start, const BucketCounts& c) {
                          account(raw, acct).windows.load(start, c);
                          ++buckets;
                        });
    store_.scan_alert_states(
        p, [&](std::string_view acct, std::string_view rule, const storage::AlertState& s) {
          auto& a = account(raw, acct);
          if (a.profile == nullptr) return;
          for (std::size_t i = 0; i < a.profile->rules.size(); ++i)
            if (a.profile->rules[i].name == rule) a.alerts[i] = s;
        });
    spdlog::info("partition {}: resumed at offset {} with {} accounts, {} buckets", p.value(),
                 raw.meta.position.value(), raw.accounts.size(), buckets);
  }
  return position;
}

Result<void> Engine::close_partition(Partition p) {
  if (auto r = commit(); !r) return r;
  if (batch_events_ > 0) return Error{"the positions were refused: the batch is still pending"};
  if (last_ != nullptr && last_->id == p) last_ = nullptr;
  partitions_.erase(p);
  return ok();
}

void Engine::discard_uncommitted() {
  if (batch_events_ > 0 || !staged_.empty()) {
    ++stats_.batches_discarded;
    stats_.messages_discarded += batch_events_;
    spdlog::warn(
        "gave up {} uncommitted message(s) and {} alert(s) of {} partition(s): the "
        "source refused their positions, so they are read again by the partitions' "
        "next owner",
        batch_events_, staged_.size(), partitions_.size());
  }
  staged_.clear();
  partitions_.clear();
  last_ = nullptr;
  reset_batch();
}

void Engine::partitions_revoked(std::span<const Partition> ps) {
  if (auto r = commit(); !r) return;  // failed for good: the daemon stops
  if (batch_events_ > 0) {
    discard_uncommitted();
    return;
  }
  for (auto p : ps) {
    if (last_ != nullptr && last_->id == p) last_ = nullptr;
    partitions_.erase(p);
  }
}

std::vector<Partition> Engine::open_partitions() const {
  std::vector<Partition> out;
  for (const auto& [p, ps] : partitions_) out.push_back(p);
  return out;
}

AccountState& Engine::account(PartitionState& ps, std::string_view id) {
  if (auto it = ps.accounts.find(id); it != ps.accounts.end()) return *it->second;
  auto a = std::make_unique<AccountState>(cfg_->storage.bucket);
  a->id = std::string(id);
  a->partition = ps.id;
  auto policy = config::resolve_account(*cfg_, id);
  a->profile = policy.profile;
  a->campaigns = policy.campaigns;
  a->brand_terms = normalize_terms(policy.brand_terms);
  if (a->profile != nullptr) a->alerts.resize(a->profile->rules.size());
  auto& ref = *a;
  ps.accounts.emplace(a->id, std::move(a));
  ps.sorted_stale = true;
  return ref;
}

void Engine::process(const SourceMessage& m) {
  if (failure_) return;
  auto& ps = partition(m.partition);
  Event ev;
  auto outcome = decoder_.decode(m.payload, m.capacity, ev);
  EventResult result;
  if (!outcome.ok) {
    result = EventResult::bad;
    auto n = ++stats_.bad[static_cast<std::size_t>(outcome.reason)];
    // Logged once per reason, then every 10,000th, so a flood cannot drown the log.
    if (n == 1 || n % 10'000 == 0)
      spdlog::warn("bad input at {}{}partition {} offset {}: {}{}{} (seen {} times)", m.topic,
                   m.topic.empty() ? "" : " ", m.partition.value(), m.offset.value(),
                   to_string(outcome.reason), outcome.field.empty() ? "" : " ", outcome.field, n);
    if (bad_hook_) bad_hook_(m, outcome);
  } else {
    result = apply(ps, ev);
  }
  ++stats_.events[static_cast<std::size_t>(result)];
  ps.meta.position = m.next;
  ps.meta_dirty = true;
  ++batch_events_;
}

EventResult Engine::apply(PartitionState& ps, const Event& ev) {
  auto lateness = cfg_->pipeline.allowed_lateness;
  if (ps.has_events && ev.ts < ps.meta.max_event_time - lateness) return EventResult::late;
  // Crossing a bucket boundary evaluates the closed window before this event
  // lands (and commits, which starts a new batch). A duplicate never moves the
  // watermark: its original, with the same time, already did.
  advance_watermark(ps, ev.ts);
  if (failure_) return EventResult::ok;
  if (seen_before(ps, ev)) return EventResult::duplicate;
  batch_->put_seen(ps.id, ev.ts, ev.id);
  auto& a = account(ps, ev.account);
  switch (ev.type) {
    case EventType::post:
      apply_post(ps, a, ev);
      break;
    case EventType::engagement:
      apply_engagement(ps, a, ev);
      break;
    case EventType::followers:
      a.windows.add_followers(ev.ts, ev.followers);
      break;
  }
  if (!a.dirty) {
    a.dirty = true;
    ps.dirty.push_back(&a);
  }
  return EventResult::ok;
}

bool Engine::seen_before(PartitionState& ps, const Event& ev) {
  if (batch_seen_.contains(ev.id)) return true;
  if (store_.seen(ps.id, ev.ts, ev.id)) return true;
  batch_seen_.insert(remember(ev.id));
  return false;
}

void Engine::apply_post(PartitionState& ps, AccountState& a, const Event& ev) {
  auto c = classifier_->classify(ev, a.brand_terms);
  a.windows.add_post(ev.ts, c.category);
  ++stats_.posts[static_cast<std::size_t>(c.category)];
  batch_->put_post(ps.id, ev.post_id, storage::PostRef{a.id, c.category, ev.ts});
  matched_buf_.clear();
  for (auto term : c.matched) {
    if (!matched_buf_.empty()) matched_buf_.push_back(',');
    matched_buf_.append(term);
  }
  storage::PostDetail d;
  d.category = c.category;
  d.confidence = c.confidence;
  d.matched = matched_buf_;
  if (!ev.links.empty()) d.link = std::string(ev.links.front());
  batch_->put_post_detail(ps.id, a.id, ev.ts, ev.post_id, d);
  batch_posts_[remember(ev.post_id)] = RecentPost{&a, c.category, ev.ts};
}

void Engine::apply_engagement(PartitionState& ps, AccountState& a, const Event& ev) {
  std::optional<RecentPost> post;
  if (auto it = batch_posts_.find(ev.post_id); it != batch_posts_.end()) {
    post = it->second;
  } else if (auto ref = store_.find_post(ps.id, ev.post_id)) {
    post = RecentPost{&account(ps, ref->account), ref->category, ref->ts};
  }
  if (!post) {
    ++stats_.unattributed_engagement;
    a.windows.add_engagement(ev.ts, EngagementClass::unattributed, ev.action, ev.count);
    return;
  }
  a.windows.add_engagement(ev.ts, engagement_class(post->category), ev.action, ev.count);
  auto weight = cfg_->pipeline.engagement_weights[static_cast<std::size_t>(ev.action)];
  auto weighted = static_cast<std::uint64_t>(std::llround(weight * static_cast<double>(ev.count)));
  if (weighted > 0)
    batch_->add_post_engagement(ps.id, post->account->id, post->ts, ev.post_id, weighted);
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
  if (boundary > ps.meta.last_evaluated) evaluate(ps, boundary);
  ps.meta.max_event_time = ts;
}

void Engine::evaluate(PartitionState& ps, TimePoint at) {
  // Verdicts come from the in-memory windows; the alert states and records they
  // produce join the open batch, so they are written with the state behind them.
  // Only the evidence of a transition needs the store to hold the window's posts:
  // the first transition commits (see evaluate_account).
  evidence_committed_ = false;
  if (ps.sorted_stale) {
    ps.sorted.clear();
    for (auto& [id, a] : ps.accounts) ps.sorted.push_back(a.get());
    std::sort(ps.sorted.begin(), ps.sorted.end(),
              [](const AccountState* x, const AccountState* y) { return x->id < y->id; });
    ps.sorted_stale = false;
  }
  for (auto* a : ps.sorted) evaluate_account(ps, *a, at);
  ps.meta.last_evaluated = at;
  ps.meta_dirty = true;
  ++stats_.evaluations;
  auto retention_cutoff = at - cfg_->storage.retention;
  if (auto r = store_.expire(ps.id, retention_cutoff, at - cfg_->storage.dedupe_horizon); !r)
    return fail(r.error());
  // Alerts do not wait for the commit interval: commit_due() says so at once, and
  // the evaluations of one slice of messages share that commit.
}

void Engine::evaluate_account(PartitionState& ps, AccountState& a, TimePoint at) {
  a.windows.expire(at - max_reach_);
  if (a.profile == nullptr) return;
  const auto& weights = cfg_->pipeline.engagement_weights;
  const auto& rules = a.profile->rules;
  // First every rule's verdict, then what is told: an inhibition looks at the
  // account's other alerts as they stand after this evaluation.
  verdicts_.resize(rules.size());
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& v = verdicts_[i];
    v.campaign = active_campaign(a.campaigns, rules[i], at);
    const auto& rule = with_campaign(rules[i], v.campaign, scratch_rule_);
    v.before = a.alerts[i];
    v.value = compute_metric(rule, a.windows, at, weights);
    v.transition = step(rule, a.alerts[i], v.value, at);
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto& v = verdicts_[i];
    auto& state = a.alerts[i];
    std::optional<Transition> tell;
    if (state.phase == storage::AlertPhase::firing && !state.notified) {
      // Newly firing, or held back until now by a mute window or an inhibition.
      if (noise_.muted(a.id, a.profile->name, rules[i], at)) {
        if (v.transition) ++stats_.alerts_muted;
      } else if (noise_.inhibited(a.id, a.profile->name, rules, a.alerts, i)) {
        if (v.transition) ++stats_.alerts_inhibited;
      } else {
        tell = Transition{AlertStatus::firing, state.since, std::nullopt, state.last_value};
        state.notified = true;
      }
    } else if (v.transition && v.transition->status == AlertStatus::resolved) {
      if (v.before.notified) tell = v.transition;  // a firing never told resolves quietly
      state.notified = false;
    }
    if (tell && !evidence_committed_) {
      // Before this alert's state is put: the state and its record must land in
      // one batch, or a crash between two commits loses the alert.
      if (auto r = commit(); !r) return fail(r.error());
      evidence_committed_ = true;
    }
    if (!(state == v.before)) batch_->put_alert_state(ps.id, a.id, rules[i].name, state);
    if (!tell) continue;
    const auto& rule = with_campaign(rules[i], v.campaign, scratch_rule_);
    ++(tell->status == AlertStatus::firing ? stats_.alerts_firing : stats_.alerts_resolved);
    auto sinks = config::route(*cfg_, a.id, a.profile->name, rules[i]);
    if (sinks.empty()) {
      ++stats_.alerts_unrouted;
      continue;
    }
    AlertContext ctx{a.id, *a.profile, rule, *tell, v.value, at, ps.id, weights, v.campaign};
    auto record = build_alert_json(ctx, store_);
    auto seq = ps.meta.next_outbox_seq++;
    batch_->put_outbox(ps.id, seq, record, sinks);
    staged_.push_back(Staged{ps.id, seq, std::move(record), std::move(sinks)});
  }
}

std::vector<FiringAlert> Engine::firing_alerts() const {
  std::vector<FiringAlert> out;
  const auto& weights = cfg_->pipeline.engagement_weights;
  config::Rule scratch;
  for (const auto& [p, ps] : partitions_) {
    if (!ps->has_events) continue;
    const auto at = windows_end(*ps);
    for (const auto& [id, a] : ps->accounts) {
      if (a->profile == nullptr) continue;
      const auto& rules = a->profile->rules;
      for (std::size_t i = 0; i < rules.size(); ++i) {
        const auto& s = a->alerts[i];
        if (s.phase != storage::AlertPhase::firing || !s.notified) continue;
        if (noise_.muted(a->id, a->profile->name, rules[i], at) ||
            noise_.inhibited(a->id, a->profile->name, rules, a->alerts, i))
          continue;
        const auto* campaign = active_campaign(a->campaigns, rules[i], at);
        const auto& rule = with_campaign(rules[i], campaign, scratch);
        auto value = compute_metric(rule, a->windows, at, weights);
        Transition t{AlertStatus::firing, s.since, std::nullopt, s.last_value};
        auto record = make_alert_record(a->id, a->profile->name, rule, t, value, weights);
        if (campaign != nullptr) record.campaign = campaign->name;
        out.push_back({to_json(record), config::route(*cfg_, a->id, a->profile->name, rules[i])});
      }
    }
  }
  return out;
}

bool Engine::commit_due() const {
  if (batch_events_ == 0 && staged_.empty()) return false;
  const auto now = clock_.steady_now();
  if (now < retry_after_) return false;  // a refused commit is not retried at once
  if (!staged_.empty()) return true;     // alerts wait for nothing but their commit
  if (batch_events_ >= cfg_->storage.commit_max_events) return true;
  return now - batch_started_ >= cfg_->storage.commit_interval;
}

bool Engine::backlogged() const {
  return batch_events_ >= 2 * cfg_->storage.commit_max_events;
}

Result<void> Engine::commit() {
  if (failure_) return *failure_;
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
  for (auto& [p, ps] : partitions_) {
    for (auto* a : ps->dirty) {
      for (const auto& b : a->windows.take_pending())
        batch_->merge_bucket(p, a->id, b.start, b.counts);
      a->dirty = false;
    }
    ps->dirty.clear();
    if (ps->meta_dirty) {
      batch_->put_meta(p, ps->meta);
      ps->meta_dirty = false;
    }
  }
  if (!batch_->empty()) {
    if (auto r = store_.commit(*batch_, false); !r) {
      fail(r.error());
      return r;
    }
    ++stats_.commits;
    stats_.batch_messages.observe(static_cast<double>(messages));
    stats_.commit_seconds.observe(
        std::chrono::duration<double>(clock_.steady_now() - started).count());
  }
  for (auto& s : staged_)
    outbox_.committed(s.partition, s.seq, std::move(s.record), std::move(s.sinks));
  staged_.clear();
  reset_batch();
  retry_after_ = {};
  return ok();
}

Result<void> Engine::finish() {
  for (auto& [p, ps] : partitions_) {
    if (!ps->has_events) continue;
    auto end = bucket_start(ps->meta.max_event_time, cfg_->storage.bucket) + cfg_->storage.bucket;
    if (end > ps->meta.last_evaluated) evaluate(*ps, end);
    if (failure_) return *failure_;
  }
  if (auto r = commit(); !r) return r;
  return commit();  // the deletes of what was just delivered
}

const AccountState* Engine::find_account(std::string_view account, TimePoint* at) const {
  for (const auto& [p, ps] : partitions_) {
    if (auto it = ps->accounts.find(account); it != ps->accounts.end()) {
      if (at != nullptr) *at = windows_end(*ps);
      return it->second.get();
    }
  }
  return nullptr;
}

TimePoint Engine::windows_end(const PartitionState& ps) const {
  return bucket_start(ps.meta.max_event_time, cfg_->storage.bucket) + cfg_->storage.bucket;
}

void Engine::advance_idle(Partition p, TimePoint now) {
  if (failure_) return;
  auto it = partitions_.find(p);
  if (it == partitions_.end() || !it->second->has_events) return;
  auto& ps = *it->second;
  if (now <= ps.meta.max_event_time) return;
  const auto before = stats_.evaluations;
  advance_watermark(ps, now);
  ps.meta_dirty = true;
  stats_.idle_evaluations += stats_.evaluations - before;
  // No message may come to carry the new clock into a batch: commit it now.
  if (auto r = commit(); !r) fail(r.error());
}

void Engine::for_each_account(const std::function<void(const AccountState&, TimePoint)>& fn) const {
  for (const auto& [p, ps] : partitions_) {
    if (!ps->has_events) continue;
    auto at = windows_end(*ps);
    std::vector<const AccountState*> sorted;
    for (const auto& [id, a] : ps->accounts) sorted.push_back(a.get());
    std::sort(sorted.begin(), sorted.end(),
              [](const AccountState* x, const AccountState* y) { return x->id < y->id; });
    for (const auto* a : sorted) fn(*a, at);
  }
}

}  // namespace kilter::pipeline

#include "pipeline/engine/engine.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "common/saturating.h"
#include "common/time.h"
#include "pipeline/engine/engine_state.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {

std::string describe_bad_input(const SourceMessage& m, const DecodeOutcome& o) {
  return fmt::format("{}{}partition {} offset {}: {}{}{}", m.topic, m.topic.empty() ? "" : " ",
                     m.source_partition, m.offset.value(), to_string(o.reason),
                     o.field.empty() ? "" : " ", o.field);
}

std::string_view to_string(EventResult r) {
  static constexpr std::string_view kNames[] = {"ok", "bad", "late", "duplicate"};
  return kNames[static_cast<std::size_t>(r)];
}

Engine::Engine(std::shared_ptr<const config::Config> cfg, storage::StateStore& store,
               Classifier& classifier, Outbox& outbox, const Clock& clock)
    : cfg_(std::move(cfg)),
      store_(store),
      classifier_(&classifier),
      outbox_(outbox),
      clock_(clock),
      decoder_(cfg_->pipeline.max_event_bytes),
      noise_(*cfg_),
      max_reach_(reach(*cfg_)),
      writer_(std::make_unique<storage::BatchWriter>(store_)) {
  reset_batch();
}

Engine::~Engine() = default;

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
  brand_terms_.clear();
  cfg_ = std::move(cfg);
  noise_ = NoiseControl(*cfg_);
  max_reach_ = reach(*cfg_);
  future_limit_ = TimePoint::min();  // the skew may have changed
  if (classifier != nullptr) classifier_ = classifier;
  for (auto p : open) open_partition(p);
  return ok();
}

std::array<std::size_t, 2> Engine::alert_state_counts() const {
  std::array<std::size_t, 2> out{};
  for (const auto& [p, ps] : partitions_) {
    out[0] += ps->phases[static_cast<std::size_t>(AlertPhase::pending)];
    out[1] += ps->phases[static_cast<std::size_t>(AlertPhase::firing)];
  }
  return out;
}

void Engine::reset_batch() {
  batch_ = spare_ ? std::move(spare_) : store_.new_batch();
  batch_events_ = 0;
  batch_started_ = clock_.steady_now();
}

void Engine::fail(Error e) {
  if (!failure_)
    spdlog::critical(
        "engine stopped: {}; nothing after the last written batch is kept, and the next start "
        "resumes from there",
        e.message);
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

void Engine::share_memory_bounds() {
  // The bounds are the daemon's, whatever number of partitions it holds now.
  const std::size_t n = std::max<std::size_t>(1, partitions_.size());
  for (auto& [p, ps] : partitions_) {
    ps->seen.set_max_ids(std::max<std::size_t>(1, cfg_->pipeline.dedupe_max_ids / n));
    ps->posts.set_max_posts(std::max<std::size_t>(1, cfg_->pipeline.post_cache_posts / n));
  }
}

std::optional<Offset> Engine::open_partition(Partition p) {
  if (auto it = partitions_.find(p); it != partitions_.end()) return it->second->meta.position;
  // The store must have every write (a failed one stops the engine: failure_).
  (void)settle(true);
  auto ps = std::make_unique<PartitionState>(cfg_->pipeline.dedupe_max_ids,
                                             cfg_->pipeline.post_cache_posts);
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
  share_memory_bounds();
  if (raw.has_events) {
    const auto watermark = raw.meta.max_event_time - cfg_->pipeline.allowed_lateness;
    auto from = std::min(raw.meta.last_evaluated, bucket_start(watermark, cfg_->storage.bucket)) -
                max_reach_;
    std::size_t buckets = 0;
    store_.scan_buckets(p, from,
                        [&](std::string_view acct, TimePoint start, const BucketCounts& c) {
                          account(raw, acct).windows.load(start, c);
                          ++buckets;
                        });
    store_.scan_alert_states(
        p, [&](std::string_view acct, std::string_view rule, const AlertState& s) {
          auto& a = account(raw, acct);
          if (a.profile == nullptr) return;
          for (std::size_t i = 0; i < a.profile->rules.size(); ++i)
            if (a.profile->rules[i].name == rule) {
              raw.count_phase(a.alerts[i].phase, s.phase);
              a.alerts[i] = s;
            }
        });
    raw.seen.expire(watermark);
    store_.scan_seen_ids(p, watermark, [&](const storage::SeenId& s) { raw.seen.restore(s); });
    spdlog::info("partition {}: resumed at offset {} with {} accounts, {} buckets, {} event ids",
                 p.value(), raw.meta.position.value(), raw.by_index.size(), buckets,
                 raw.seen.size());
  }
  return position;
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
  if (batch_events_ > 0) return Error{"the positions were refused: the batch is still pending"};
  if (last_ != nullptr && last_->id == p) last_ = nullptr;
  partitions_.erase(p);
  share_memory_bounds();
  return ok();
}

void Engine::discard_uncommitted() {
  (void)settle(true);  // what the source accepted is written, whatever comes after
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
  share_memory_bounds();
}

std::vector<Partition> Engine::open_partitions() const {
  std::vector<Partition> out;
  for (const auto& [p, ps] : partitions_) out.push_back(p);
  return out;
}

const std::vector<std::string>* Engine::brand_terms(const std::vector<std::string>& raw) {
  auto it = brand_terms_.find(raw);
  if (it == brand_terms_.end()) it = brand_terms_.emplace(raw, normalize_terms(raw)).first;
  return &it->second;
}

AccountState& Engine::account(PartitionState& ps, std::string_view id) {
  const auto hash = hash64(id);
  if (auto* found = ps.find(id, hash)) return *found;
  auto a = std::make_unique<AccountState>(cfg_->storage.bucket);
  a->id = std::string(id);
  a->partition = ps.id;
  a->index = static_cast<std::uint32_t>(ps.by_index.size());
  auto policy = config::resolve_account(*cfg_, id);
  a->profile = policy.profile;
  a->campaigns = policy.campaigns;
  a->brand_terms = brand_terms(policy.brand_terms);
  if (a->profile != nullptr) {
    a->alerts.resize(a->profile->rules.size());
    ps.phases[static_cast<std::size_t>(AlertPhase::inactive)] += a->alerts.size();
    for (const auto& r : a->profile->rules) a->inputs |= metric_inputs(r.metric);
  }
  // A new account (or one read back from the store) gets its verdicts at the
  // next boundary; from then on only when its figures can change.
  a->changed = true;
  ps.changed.push_back(a.get());
  auto& ref = *a;
  ps.by_index.push_back(std::move(a));
  bool inserted = false;
  auto& slot = ps.by_hash.get_or_insert(hash, inserted);
  if (inserted)
    slot = ref.index;
  else
    ps.collided.emplace(ref.id, ref.index);
  return ref;
}

void Engine::process(const SourceMessage& m) {
  if (failure_) return;
  auto& ps = partition(m.partition);
  arrival_ = m.appended;
  Event ev;
  auto outcome = decoder_.decode(m.payload, m.capacity, ev);
  // Checked here, where every source passes: one event stamped years ahead
  // would move the watermark there and make every later event late.
  if (outcome.ok && ev.ts > future_limit_ && too_far_ahead(ev.ts))
    outcome = DecodeOutcome{false, BadInput::future_timestamp, "ts"};
  EventResult result;
  if (!outcome.ok) {
    result = EventResult::bad;
    auto n = ++stats_.bad[static_cast<std::size_t>(outcome.reason)];
    // Logged once per reason, then every 10,000th, so a flood cannot drown the log.
    if (n == 1 || n % 10'000 == 0)
      spdlog::warn("bad input at {} (seen {} times)", describe_bad_input(m, outcome), n);
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
  if (!ps.seen.insert(storage::SeenId{ev.ts, hash64(ev.id)})) return EventResult::duplicate;
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
  static constexpr std::uint8_t kInputsOf[] = {kPostInputs, kEngagementInputs, kFollowerInputs};
  if (!a.changed && (a.inputs & kInputsOf[static_cast<std::size_t>(ev.type)]) != 0) {
    a.changed = true;
    ps.changed.push_back(&a);
  }
  return EventResult::ok;
}

void Engine::apply_post(PartitionState& ps, AccountState& a, const Event& ev) {
  auto c = classifier_->classify(ev, *a.brand_terms);
  a.windows.add_post(ev.ts, c.category);
  ++stats_.posts[static_cast<std::size_t>(c.category)];
  batch_->put_post(ps.id, ev.post_id, PostRef{a.id, c.category, ev.ts});
  matched_buf_.clear();
  for (auto term : c.matched) {
    if (!matched_buf_.empty()) matched_buf_.push_back(',');
    matched_buf_.append(term);
  }
  const std::string_view link = ev.links.empty() ? std::string_view{} : ev.links.front();
  auto& staged = ps.building;
  staged.posts.push_back(
      {a.index, ev.ts, c.category, c.confidence, static_cast<std::uint32_t>(staged.text.size()),
       static_cast<std::uint32_t>(ev.post_id.size()),
       static_cast<std::uint32_t>(matched_buf_.size()), static_cast<std::uint32_t>(link.size())});
  staged.text.append(ev.post_id).append(matched_buf_).append(link);
  detail_.category = c.category;
  detail_.confidence = c.confidence;
  detail_.engagement = 0;
  detail_.matched = matched_buf_;
  detail_.link = link;
  batch_->put_post_detail(ps.id, a.id, ev.ts, ev.post_id, detail_);
  ps.posts.put(hash64(ev.post_id), CachedPost{a.index, c.category});
  ++ps.batch_posts;
}

void Engine::apply_engagement(PartitionState& ps, AccountState& a, const Event& ev) {
  const AccountState* owner = nullptr;
  Category category = Category::unclassified;
  if (const auto* hit = ps.posts.find(hash64(ev.post_id))) {
    owner = ps.by_index[hit->account].get();
    category = hit->category;
  } else {
    // Not among the recent posts: the store knows every post still retained.
    ++stats_.post_cache_misses;
    if (auto ref = store_.find_post(ps.id, ev.post_id)) {
      owner = &account(ps, ref->account);
      category = ref->category;
    }
  }
  if (owner == nullptr) {
    ++stats_.unattributed_engagement;
    a.windows.add_engagement(ev.ts, EngagementClass::unattributed, ev.action, ev.count);
    return;
  }
  a.windows.add_engagement(ev.ts, engagement_class(category), ev.action, ev.count);
  auto weight = cfg_->pipeline.engagement_weights[static_cast<std::size_t>(ev.action)];
  // weight <= config::kMaxEngagementWeight (1e6) and count <= 2^32 - 1: the
  // product is below 2^53, exact in a double and far from llround's range.
  auto weighted = static_cast<std::uint64_t>(std::llround(weight * static_cast<double>(ev.count)));
  if (weighted > 0) {
    batch_->add_post_engagement(ps.id, owner->id, ev.ts, ev.post_id, weighted);
    bool inserted = false;
    auto& sum = ps.building.engagement.get_or_insert(hash64(ev.post_id), inserted);
    sum = sat_add(sum, weighted);
  }
}

bool Engine::too_far_ahead(TimePoint ts) {
  // The highest wall-clock time seen, not the latest: a clock set back (an NTP
  // step) does not turn good events bad. Saturates: the skew may be any duration.
  wall_high_ = std::max(wall_high_, clock_.now());
  const auto skew = cfg_->pipeline.max_future_skew;
  future_limit_ = wall_high_ > TimePoint::max() - skew ? TimePoint::max() : wall_high_ + skew;
  return ts > future_limit_;
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
  ps.seen.expire(ts - lateness);
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
    if (auto* found = ps->find(account, hash64(account))) {
      if (at != nullptr) *at = windows_end(*ps);
      return found;
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
  arrival_ = now;  // the wall clock raises these alerts
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
    for (const auto& a : ps->by_index) sorted.push_back(a.get());
    std::sort(sorted.begin(), sorted.end(),
              [](const AccountState* x, const AccountState* y) { return x->id < y->id; });
    for (const auto* a : sorted) fn(*a, at);
  }
}

}  // namespace kilter::pipeline

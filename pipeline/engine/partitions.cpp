#include "pipeline/engine/partitions.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "common/time.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/rules/rules.h"

namespace kilter::pipeline {

Millis reach(const config::Config& c) {
  Millis out = c.storage.bucket;
  for (const auto& [name, profile] : c.profiles)
    for (const auto& r : profile.rules)
      out = std::max(out, r.window + r.baseline.value_or(Millis{0}));
  // A digest's period (25 h for a day with a daylight-saving change), and the
  // rules' values at its end, may be read up to a day after that end (a wall
  // clock behind the events): the windows keep a day more.
  Millis period{0};
  for (const auto& d : c.digests) period = std::max(period, d.every + std::chrono::hours(1));
  if (period.count() > 0) out = std::max(out, period) + std::chrono::days(1);
  return out;
}

Partitions::Partitions(const config::Config& cfg, storage::StateStore& store)
    : cfg_(&cfg), store_(store), max_reach_(reach(cfg)) {}

void Partitions::reconfigure(const config::Config& cfg) {
  clear();
  brand_terms_.clear();
  cfg_ = &cfg;
  max_reach_ = reach(cfg);
}

PartitionState* Partitions::find(Partition p) {
  if (auto* ps = cached(p)) return ps;
  auto it = map_.find(p);
  if (it == map_.end()) return nullptr;
  last_ = it->second.get();
  return last_;
}

void Partitions::erase(Partition p) {
  if (last_ != nullptr && last_->id == p) last_ = nullptr;
  map_.erase(p);
  share_memory_bounds();
}

void Partitions::clear() {
  map_.clear();
  last_ = nullptr;
}

std::vector<Partition> Partitions::ids() const {
  std::vector<Partition> out;
  for (const auto& [p, ps] : map_) out.push_back(p);
  return out;
}

void Partitions::share_memory_bounds() {
  const std::size_t n = std::max<std::size_t>(1, map_.size());
  for (auto& [p, ps] : map_) {
    ps->seen.set_max_ids(std::max<std::size_t>(1, cfg_->pipeline.dedupe_max_ids / n));
    ps->posts.set_max_posts(std::max<std::size_t>(1, cfg_->pipeline.post_cache_posts / n));
  }
}

std::optional<Offset> Partitions::open(Partition p) {
  if (auto it = map_.find(p); it != map_.end()) return it->second->meta.position;
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
  map_.emplace(p, std::move(ps));
  share_memory_bounds();
  if (raw.has_events) {
    const auto watermark = raw.meta.max_event_time - cfg_->pipeline.allowed_lateness;
    auto from = std::min(raw.meta.last_evaluated, bucket_start(watermark, cfg_->storage.bucket)) -
                max_reach_;
    std::size_t buckets = 0;
    store_.scan_buckets(p, from,
                        [&](std::string_view acct, TimePoint start, const BucketCounts& c) {
                          account(raw, AccountRef{acct}).windows.load(start, c);
                          ++buckets;
                        });
    store_.scan_alert_states(
        p, [&](std::string_view acct, std::string_view rule, const AlertState& s) {
          auto& a = account(raw, AccountRef{acct});
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

const std::vector<std::string>* Partitions::brand_terms(const std::vector<std::string>& raw) {
  auto it = brand_terms_.find(raw);
  if (it == brand_terms_.end()) it = brand_terms_.emplace(raw, normalize_terms(raw)).first;
  return &it->second;
}

AccountState& Partitions::account(PartitionState& ps, AccountRef account) {
  return this->account(ps, account, hash64(account.view()));
}

AccountState& Partitions::account(PartitionState& ps, AccountRef account, std::uint64_t hash) {
  const auto id = account.view();
  if (auto* found = ps.find(id, hash)) return *found;
  auto a = std::make_unique<AccountState>(cfg_->storage.bucket);
  a->id = AccountId(id);
  a->partition = ps.id;
  a->index = static_cast<std::uint32_t>(ps.by_index.size());
  auto policy = config::resolve_account(*cfg_, id);
  a->profile = policy.profile;
  a->campaigns = policy.campaigns;
  a->brand_terms = brand_terms(policy.brand_terms);
  a->timezone = policy.timezone;
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
    ps.collided.emplace(ref.id.str(), ref.index);
  return ref;
}

TimePoint Partitions::windows_end(const PartitionState& ps) const {
  return bucket_start(ps.meta.max_event_time, cfg_->storage.bucket) + cfg_->storage.bucket;
}

const AccountState* Partitions::find_account(AccountRef account, TimePoint* at) const {
  const auto id = account.view();
  for (const auto& [p, ps] : map_) {
    if (auto* found = ps->find(id, hash64(id))) {
      if (at != nullptr) *at = windows_end(*ps);
      return found;
    }
  }
  return nullptr;
}

void Partitions::for_each_account(
    const std::function<void(const AccountState&, TimePoint)>& fn) const {
  for (const auto& [p, ps] : map_) {
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

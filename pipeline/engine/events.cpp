// Nothing here reads the store except for an engagement whose post is not in
// the cache; posts and engagement go into the open batch.
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/hash.h"
#include "common/saturating.h"
#include "common/time.h"
#include "pipeline/engine/events.h"

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

EventPath::EventPath(const config::Config& cfg, storage::StateStore& store, Classifier& classifier,
                     const Clock& clock, Partitions& partitions, Committer& committer,
                     EngineStats& stats)
    : cfg_(&cfg),
      store_(store),
      classifier_(&classifier),
      clock_(clock),
      partitions_(partitions),
      committer_(committer),
      stats_(stats),
      decoder_(cfg.pipeline.max_event_bytes) {}

void EventPath::reconfigure(const config::Config& cfg, Classifier* classifier) {
  cfg_ = &cfg;
  future_limit_ = TimePoint::min();  // the skew may have changed
  if (classifier != nullptr) classifier_ = classifier;
}

void EventPath::reject(const SourceMessage& m, const DecodeOutcome& outcome) {
  auto n = ++stats_.bad[static_cast<std::size_t>(outcome.reason)];
  // Logged once per reason, then every 10,000th, so a flood cannot drown the log.
  if (n == 1 || n % 10'000 == 0)
    spdlog::warn("bad input at {} (seen {} times)", describe_bad_input(m, outcome), n);
  if (bad_hook_) bad_hook_(m, outcome);
}

EventResult EventPath::accept(PartitionState& ps, const Event& ev) {
  // The event's id, its account and (engagement) its post are looked up in
  // tables much larger than the cache, independently: asked for together,
  // their cache misses overlap instead of following one another.
  const auto id_hash = hash64(ev.id);
  const auto account_hash = hash64(ev.account);
  ps.seen.prefetch(id_hash);
  ps.by_hash.prefetch(account_hash);
  std::uint64_t post_hash = 0;  // an engagement's post
  if (ev.type == EventType::engagement) {
    post_hash = hash64(ev.post_id);
    ps.posts.prefetch(post_hash);
  }
  if (!ps.seen.insert(storage::SeenId{ev.ts, id_hash})) return EventResult::duplicate;
  auto& a = partitions_.account(ps, AccountRef{ev.account}, account_hash);
  switch (ev.type) {
    case EventType::post:
      apply_post(ps, a, ev);
      break;
    case EventType::engagement:
      apply_engagement(ps, a, ev, post_hash);
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

void EventPath::apply_post(PartitionState& ps, AccountState& a, const Event& ev) {
  auto c = classifier_->classify(ev, *a.brand_terms);
  a.windows.add_post(ev.ts, c.category);
  ++stats_.posts[static_cast<std::size_t>(c.category)];
  auto& batch = committer_.batch();
  batch.put_post(ps.id, ev.post_id, PostRef{a.id.str(), c.category, ev.ts});
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
  batch.put_post_detail(ps.id, a.id.view(), ev.ts, ev.post_id, detail_);
  ps.posts.put(hash64(ev.post_id), CachedPost{a.index, c.category});
  ++ps.batch_posts;
}

void EventPath::apply_engagement(PartitionState& ps, AccountState& a, const Event& ev,
                                 std::uint64_t post_hash) {
  const AccountState* owner = nullptr;
  Category category = Category::unclassified;
  if (const auto* hit = ps.posts.find(post_hash)) {
    owner = ps.by_index[hit->account].get();
    category = hit->category;
  } else {
    // Not among the recent posts: the store knows every post still retained.
    ++stats_.post_cache_misses;
    if (auto ref = store_.find_post(ps.id, ev.post_id)) {
      owner = &partitions_.account(ps, AccountRef{ref->account});
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
    committer_.batch().add_post_engagement(ps.id, owner->id.view(), ev.ts, ev.post_id, weighted);
    bool inserted = false;
    auto& sum = ps.building.engagement.get_or_insert(post_hash, inserted);
    sum = sat_add(sum, weighted);
  }
}

bool EventPath::too_far_ahead(TimePoint ts) {
  // The highest wall-clock time seen, not the latest: a clock set back (an NTP
  // step) does not turn good events bad. Saturates: the skew may be any duration.
  wall_high_ = std::max(wall_high_, clock_.now());
  const auto skew = cfg_->pipeline.max_future_skew;
  future_limit_ = wall_high_ > TimePoint::max() - skew ? TimePoint::max() : wall_high_ + skew;
  return ts > future_limit_;
}

}  // namespace kilter::pipeline

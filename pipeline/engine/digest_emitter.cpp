#include "pipeline/engine/digest_emitter.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/time.h"
#include "pipeline/digests/digest.h"

namespace kilter::pipeline {

DigestEmitter::DigestEmitter(const config::Config& cfg, const Clock& clock, Committer& committer,
                             EngineStats& stats, Posts posts)
    : cfg_(cfg),
      clock_(clock),
      committer_(committer),
      stats_(stats),
      posts_(std::move(posts)),
      reach_(reach(cfg)) {
  for (const auto& d : cfg.digests) {
    auto& zones = schedules_.emplace_back();
    std::vector<std::string> names = {d.timezone};
    for (const auto& a : cfg.accounts)
      if (!a.timezone.empty()) names.push_back(a.timezone);
    for (const auto& zone : names) {
      if (zones.contains(zone)) continue;
      // config/ checked every zone: a failure here is a tz database gone since.
      if (auto s = digests::Schedule::make(d, zone))
        zones.emplace(zone, std::move(*s));
      else
        spdlog::error("digest {}: {}; its accounts in that zone use {}", d.name, s.error().message,
                      d.timezone);
    }
    std::vector<std::string> sinks;
    if (d.sinks)
      sinks = *d.sinks;
    else
      for (const auto& s : cfg.sinks) sinks.push_back(s.name);
    sinks_.push_back(std::move(sinks));
  }
}

const digests::Schedule* DigestEmitter::schedule(std::size_t digest,
                                                 const std::string* zone) const {
  const auto& zones = schedules_[digest];
  if (zone != nullptr)
    if (auto it = zones.find(*zone); it != zones.end()) return &it->second;
  auto it = zones.find(cfg_.digests[digest].timezone);
  return it != zones.end() ? &it->second : nullptr;
}

void DigestEmitter::start(PartitionState& ps, TimePoint t) const {
  for (const auto& d : cfg_.digests)
    if (ps.meta.digests.emplace(d.name, t).second) ps.meta_dirty = true;
}

std::optional<TimePoint> DigestEmitter::next_end(TimePoint t) const {
  std::optional<TimePoint> out;
  for (const auto& zones : schedules_)
    for (const auto& [zone, s] : zones) {
      const auto end = s.next_end(t);
      if (!out || end < *out) out = end;
    }
  return out;
}

void DigestEmitter::emit(PartitionState& ps, TimePoint at) {
  // Progress of digests no longer configured goes (a digest added again later
  // starts afresh).
  std::erase_if(ps.meta.digests, [&](const auto& entry) {
    return std::none_of(cfg_.digests.begin(), cfg_.digests.end(),
                        [&](const config::Digest& d) { return d.name == entry.first; });
  });
  const TimePoint through = std::min(at, clock_.now());
  accounts_.clear();
  for (std::size_t k = 0; k < cfg_.digests.size(); ++k) {
    const auto& d = cfg_.digests[k];
    auto [it, fresh] = ps.meta.digests.emplace(d.name, through);
    ps.meta_dirty = true;
    // A digest new to a partition that has run before starts now: no backlog.
    if (fresh || through <= it->second || schedules_[k].empty()) continue;
    // Periods older than the windows' reach have nothing left to sum.
    const TimePoint after = std::max(it->second, through - reach_);
    std::map<const digests::Schedule*, std::vector<digests::Period>> periods;
    bool any = false;
    for (const auto& [zone, s] : schedules_[k]) {
      auto& p = periods[&s];
      p = s.periods(after, through);
      any = any || !p.empty();
    }
    it->second = through;
    if (!any) continue;
    if (accounts_.empty()) {
      for (const auto& a : ps.by_index) accounts_.push_back(a.get());
      // Account-id order, as alerts: the outbox order does not depend on arrival.
      std::sort(accounts_.begin(), accounts_.end(),
                [](const AccountState* x, const AccountState* y) { return x->id < y->id; });
    }
    for (auto* a : accounts_) {
      if (!digests::matches(d, a->ref(), a->profile)) continue;
      const auto* zone = schedule(k, a->timezone);
      if (zone == nullptr) continue;
      const auto& s = *zone;
      const digests::DigestInput in{
          d, s, a->ref(), a->profile, a->windows, a->alerts, cfg_.pipeline.engagement_weights};
      for (const auto& p : periods[&s]) {
        if (!digests::active(a->windows, a->profile, p)) continue;
        auto record = digests::build(
            in, p, [&](AccountRef, TimePoint from, TimePoint to, const PostVisitor& visit) {
              posts_(ps, *a, from, to, visit);
            });
        committer_.stage(ps, std::move(record), sinks_[k]);
        ++stats_.digests;
      }
    }
  }
}

}  // namespace kilter::pipeline

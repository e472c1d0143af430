// Internal to the engine: the in-memory state of one input partition (its
// accounts, the indexes of the events it has seen, what its open batch holds),
// shared by the partitions registry, the per-event path, the evaluator and the
// committer.
#pragma once

#include <memory>
#include <queue>
#include <unordered_map>

#include "common/flat_map.h"
#include "common/saturating.h"
#include "pipeline/engine/account.h"
#include "pipeline/engine/dedupe.h"
#include "pipeline/engine/post_cache.h"
#include "storage/records.h"

namespace kilter::pipeline {

// The longest window + baseline of any rule (at least one bucket), or of a
// digest's period, plus a day when there are digests: how far back an account's
// buckets matter.
Millis reach(const config::Config& c);

struct PartitionState {
  Partition id;
  storage::PartitionMeta meta;
  bool has_events = false;  // meta.max_event_time is meaningful
  // Accounts by index (stable: the post cache refers to them) and by the hash
  // of their id (one flat probe per event); two ids with one hash, which
  // should never happen, are kept apart by the second map.
  std::vector<std::unique_ptr<AccountState>> by_index;
  FlatMap64<std::uint32_t> by_hash;
  std::unordered_map<std::string, std::uint32_t> collided;
  AccountState* find(std::string_view id, std::uint64_t hash) const {
    if (const auto* i = by_hash.find(hash)) {
      if (by_index[*i]->id.view() == id) return by_index[*i].get();
      if (auto it = collided.find(std::string(id)); it != collided.end())
        return by_index[it->second].get();
    }
    return nullptr;
  }
  std::vector<AccountState*> dirty;    // deltas for the next commit
  std::vector<AccountState*> changed;  // events since the last evaluation
  // Accounts whose figures change at a known boundary without new events
  // (AccountState::due), soonest first. An entry whose time is not the
  // account's due any more is stale and skipped.
  using Due = std::pair<TimePoint, std::uint32_t>;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  // Evaluated at every boundary: an alert pending (its `for` runs on time
  // alone) or firing but held back (a mute window may end).
  std::vector<AccountState*> watched;
  SeenIds seen;
  PostCache posts;
  std::size_t batch_posts = 0;  // posts cached since the batch being built began
  std::size_t sent_posts = 0;   // posts cached in the batch awaiting the changelog
  // Posts and engagement of a batch the store does not show yet: the evidence
  // of an alert reads them here. Strings live in one buffer, so staging
  // allocates nothing once warm.
  struct UnwrittenPost {
    std::uint32_t account;
    TimePoint ts;
    Category category;
    float confidence;
    std::uint32_t text_at, id_len, matched_len, link_len;
  };
  struct Unwritten {
    std::vector<UnwrittenPost> posts;
    std::string text;
    FlatMap64<std::uint64_t> engagement;  // post id hash -> weighted engagement added
    void clear() {
      posts.clear();
      text.clear();
      if (!engagement.empty()) engagement.clear();
    }
    // Adds a later batch's posts and engagement after these.
    void append(const Unwritten& later) {
      const auto shift = static_cast<std::uint32_t>(text.size());
      for (auto p : later.posts) {
        p.text_at += shift;
        posts.push_back(p);
      }
      text += later.text;
      later.engagement.for_each([&](std::uint64_t post, std::uint64_t n) {
        bool inserted = false;
        auto& sum = engagement.get_or_insert(post, inserted);  // 0 when new
        sum = sat_add(sum, n);
      });
    }
  };
  Unwritten building;  // the batch being built
  Unwritten sent;      // a batch whose changelog records await their acknowledgement
  Unwritten writing;   // the batch the writer thread has
  // Alert states of the partition's accounts by phase (the metrics read them at
  // every scrape: no walk over the accounts).
  std::array<std::size_t, 3> phases{};
  void count_phase(AlertPhase from, AlertPhase to) {
    --phases[static_cast<std::size_t>(from)];
    ++phases[static_cast<std::size_t>(to)];
  }
  bool meta_dirty = false;
  Offset checkpointed{-1};  // the position the checkpointer last accepted (or was loaded)
  PartitionState(std::size_t max_ids, std::size_t max_posts) : seen(max_ids), posts(max_posts) {}
};

}  // namespace kilter::pipeline

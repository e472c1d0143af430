// The posts an engagement most likely names, in memory: post id hash -> where
// the post lives (its account and category). Engagement trails its post,
// so the most recent posts answer nearly every lookup without the store; the
// oldest are forgotten first once the cache holds `max_posts` (the store still
// has them: a miss costs one point lookup, never a wrong answer).
#pragma once

#include <cstdint>
#include <deque>

#include "common/flat_map.h"
#include "common/types.h"

namespace kilter::pipeline {

struct CachedPost {
  std::uint32_t account = 0;  // the account's index in its partition
  Category category = Category::unclassified;
};

class PostCache {
 public:
  explicit PostCache(std::size_t max_posts) : max_posts_(max_posts) {}
  void set_max_posts(std::size_t n) { max_posts_ = n; }

  void put(std::uint64_t post, const CachedPost& p) {
    bool inserted = false;
    posts_.get_or_insert(post, inserted) = p;
    if (inserted) order_.push_back(post);
  }
  const CachedPost* find(std::uint64_t post) const { return posts_.find(post); }
  // Asks for the post's slot ahead of find (see FlatMap64::prefetch).
  void prefetch(std::uint64_t post) const { posts_.prefetch(post); }

  // Forgets the oldest posts beyond the bound, but never the `protect` newest:
  // those of batches the store does not have yet.
  void trim(std::size_t protect) {
    while (posts_.size() > max_posts_ && order_.size() > protect) {
      posts_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::size_t size() const { return posts_.size(); }
  std::size_t bytes() const { return posts_.bytes() + order_.size() * sizeof(std::uint64_t); }

 private:
  std::size_t max_posts_;
  FlatMap64<CachedPost> posts_;
  std::deque<std::uint64_t> order_;  // insertion order: the oldest go first
};

}  // namespace kilter::pipeline

// The engine's in-memory indexes: the ids a redelivery could still match, and
// the recent posts engagement looks up.
#include "pipeline/engine/dedupe.h"

#include <gtest/gtest.h>

#include "pipeline/engine/post_cache.h"

namespace kilter::pipeline {
namespace {

TimePoint at(std::int64_t s) {
  return from_epoch_ms(1'700'000'000'000 + s * 1000);
}

TEST(SeenIds, ACopyIsFoundAndOnlyNewIdsAreFresh) {
  SeenIds seen(1'000'000);
  EXPECT_TRUE(seen.insert({at(0), 1}));
  EXPECT_TRUE(seen.insert({at(1), 2}));
  EXPECT_FALSE(seen.insert({at(0), 1}));
  seen.restore({at(2), 3});  // read back from the store: known, not fresh
  EXPECT_FALSE(seen.insert({at(2), 3}));
  ASSERT_EQ(seen.fresh().size(), 2u);
  EXPECT_EQ(seen.fresh()[1].id, 2u);
  seen.clear_fresh();
  EXPECT_TRUE(seen.fresh().empty());
  EXPECT_EQ(seen.size(), 3u);
}

TEST(SeenIds, IdsOlderThanTheWatermarkAreForgottenAsTheTableGrows) {
  SeenIds seen(1'000'000);
  for (std::uint64_t i = 10; i < 1000; ++i) ASSERT_TRUE(seen.insert({at(0), i}));
  seen.expire(at(10));  // those are older than the watermark now: late if they come again
  for (std::uint64_t i = 1000; i < 5000; ++i) ASSERT_TRUE(seen.insert({at(20), i}));
  EXPECT_EQ(seen.size(), 4000u);       // the first 990 swept out
  EXPECT_EQ(seen.take_evicted(), 0u);  // forgotten on time is not evicted
  EXPECT_FALSE(seen.insert({at(20), 4999}));
}

TEST(SeenIds, PastTheBoundTheOldestAreForgottenEarlyAndCounted) {
  SeenIds seen(2000);
  for (std::uint64_t i = 10; i < 5010; ++i) ASSERT_TRUE(seen.insert({at(i), i}));
  EXPECT_LE(seen.size(), 2001u);
  const auto evicted = seen.take_evicted();
  EXPECT_GE(evicted, 2999u);
  EXPECT_EQ(seen.take_evicted(), 0u);           // counted once
  EXPECT_FALSE(seen.insert({at(5009), 5009}));  // the newest are kept
  EXPECT_TRUE(seen.insert({at(10), 10}));       // an early-forgotten copy counts again
}

TEST(PostCache, TheOldestGoFirstButNeverTheProtectedNewest) {
  PostCache cache(3);
  for (std::uint64_t p = 1; p <= 6; ++p)
    cache.put(p, CachedPost{static_cast<std::uint32_t>(p), Category::personal});
  cache.put(6, CachedPost{60, Category::promotional});  // again: updated, not duplicated
  cache.trim(/*protect=*/5);
  EXPECT_EQ(cache.size(), 5u);  // 5 newest protected: only the oldest went
  EXPECT_EQ(cache.find(1), nullptr);
  cache.trim(/*protect=*/0);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.find(3), nullptr);
  ASSERT_NE(cache.find(6), nullptr);
  EXPECT_EQ(cache.find(6)->account, 60u);
  EXPECT_EQ(cache.find(6)->category, Category::promotional);
}

}  // namespace
}  // namespace kilter::pipeline

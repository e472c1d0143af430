#include "pipeline/windows/windows.h"

#include <gtest/gtest.h>

namespace kilter::pipeline {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

TimePoint H(std::int64_t h) {
  return from_epoch_ms(h * 3'600'000);
}

TEST(Windows, EventExactlyAtBoundaryBelongsToLaterBucket) {
  AccountWindows w(hours(1));
  w.add_post(H(1), Category::personal);
  w.add_post(H(1) - Millis{1}, Category::professional);
  ASSERT_EQ(w.buckets().size(), 2u);
  EXPECT_EQ(w.buckets()[0].start, H(0));
  EXPECT_EQ(w.buckets()[0].counts.posts[1], 1u);
  EXPECT_EQ(w.buckets()[1].start, H(1));
  EXPECT_EQ(w.buckets()[1].counts.posts[0], 1u);
}

TEST(Windows, WindowIsHalfOpen) {
  AccountWindows w(hours(1));
  for (int h = 0; h < 4; ++h) w.add_post(H(h) + minutes(30), Category::personal);
  // [1h, 3h): the buckets starting at 1h and 2h, not the one starting at 3h (= end).
  EXPECT_EQ(w.window(H(3), hours(2)).posts(), 2u);
  EXPECT_EQ(w.window(H(4), hours(4)).posts(), 4u);
  EXPECT_EQ(w.window(H(0), hours(4)).posts(), 0u);
  EXPECT_EQ(w.window(H(10), hours(2)).posts(), 0u);
}

TEST(Windows, NegativeTimesFloorToEarlierBucket) {
  AccountWindows w(hours(1));
  w.add_post(from_epoch_ms(-1), Category::promotional);
  w.add_post(H(-1), Category::promotional);
  w.add_post(H(-1) - Millis{1}, Category::promotional);
  ASSERT_EQ(w.buckets().size(), 2u);
  EXPECT_EQ(w.buckets()[0].start, H(-2));
  EXPECT_EQ(w.buckets()[1].start, H(-1));
  EXPECT_EQ(w.buckets()[1].counts.posts[2], 2u);
  EXPECT_EQ(w.window(H(0), hours(1)).posts(Category::promotional), 2u);
}

TEST(Windows, OutOfOrderEventsKeepBucketsSorted) {
  AccountWindows w(hours(1));
  w.add_post(H(5), Category::personal);
  w.add_post(H(1), Category::personal);
  w.add_post(H(3), Category::personal);
  w.add_post(H(1) + minutes(5), Category::personal);
  ASSERT_EQ(w.buckets().size(), 3u);
  EXPECT_EQ(w.buckets()[0].start, H(1));
  EXPECT_EQ(w.buckets()[0].counts.posts[0], 2u);
  EXPECT_EQ(w.buckets()[1].start, H(3));
  EXPECT_EQ(w.buckets()[2].start, H(5));
}

TEST(Windows, EngagementAndFollowersAreSummed) {
  AccountWindows w(hours(1));
  w.add_engagement(H(0), EngagementClass::personal, Action::reply, 3);
  w.add_engagement(H(1), EngagementClass::personal, Action::reply, 2);
  w.add_engagement(H(1), EngagementClass::unattributed, Action::like, 5);
  w.add_followers(H(0) + minutes(10), 100);
  w.add_followers(H(1) + minutes(50), 130);
  w.add_followers(H(1) + minutes(20), 120);
  const auto f = w.window(H(2), hours(2));
  EXPECT_EQ(f.sum.engagement[0][static_cast<std::size_t>(Action::reply)], 5u);
  EXPECT_EQ(f.sum.engagement[4][static_cast<std::size_t>(Action::like)], 5u);
  EXPECT_EQ(f.sum.followers.first, 100);
  EXPECT_EQ(f.sum.followers.last, 130);
  EXPECT_EQ(f.sum.followers.last_ts, epoch_ms(H(1) + minutes(50)));
}

TEST(WindowFigures, ClassifiedPostsAndWeightedEngagement) {
  WindowFigures f;
  f.sum.posts = {2, 3, 4, 7};
  f.sum.engagement[static_cast<std::size_t>(EngagementClass::professional)]
                  [static_cast<std::size_t>(Action::repost)] = 10;
  f.sum.engagement[static_cast<std::size_t>(EngagementClass::unattributed)]
                  [static_cast<std::size_t>(Action::click)] = 4;
  f.sum.engagement[static_cast<std::size_t>(EngagementClass::unclassified)]
                  [static_cast<std::size_t>(Action::impression)] = 1000;
  const std::array<double, kActions> weights = {2, 2, 2, 1, 1, 0};
  EXPECT_EQ(f.posts(), 16u);
  EXPECT_EQ(f.classified_posts(), 9u);
  EXPECT_EQ(f.posts(Category::unclassified), 7u);
  EXPECT_DOUBLE_EQ(f.weighted_engagement(EngagementClass::professional, weights), 20);
  EXPECT_DOUBLE_EQ(f.weighted_engagement(EngagementClass::unattributed, weights), 4);
  EXPECT_DOUBLE_EQ(f.weighted_engagement(weights), 24);
}

TEST(Windows, ExpireDropsBucketsStartingBeforeCutoff) {
  AccountWindows w(hours(1));
  for (int h = 0; h < 5; ++h) w.add_post(H(h), Category::personal);
  w.expire(H(2) + minutes(1));  // the bucket starting at 2h starts before the cutoff
  ASSERT_EQ(w.buckets().size(), 2u);
  EXPECT_EQ(w.buckets()[0].start, H(3));
  w.expire(H(3));
  EXPECT_EQ(w.buckets().size(), 2u);
  w.expire(H(10));
  EXPECT_TRUE(w.empty());
  // Deltas not yet written are still handed out.
  EXPECT_EQ(w.take_pending().size(), 5u);
}

TEST(Windows, TakePendingReturnsDeltasOnce) {
  AccountWindows w(hours(1));
  BucketCounts stored;
  stored.posts[0] = 40;
  w.load(H(1), stored);
  EXPECT_FALSE(w.has_pending());

  w.add_post(H(1) + minutes(1), Category::personal);
  w.add_post(H(0), Category::professional);
  w.add_followers(H(1), 7);
  ASSERT_TRUE(w.has_pending());
  auto p = w.take_pending();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].start, H(0));
  EXPECT_EQ(p[0].counts.posts[1], 1u);
  EXPECT_EQ(p[1].start, H(1));
  EXPECT_EQ(p[1].counts.posts[0], 1u);  // the delta, not the loaded 40 + 1
  EXPECT_EQ(p[1].counts.followers.last, 7);
  EXPECT_FALSE(w.has_pending());
  EXPECT_TRUE(w.take_pending().empty());

  EXPECT_EQ(w.window(H(2), hours(2)).posts(Category::personal), 41u);
  w.add_post(H(1), Category::personal);
  p = w.take_pending();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].counts.total_posts(), 1u);
}

TEST(Windows, LoadMergesIntoExistingBucket) {
  AccountWindows w(hours(1));
  w.add_post(H(2), Category::personal);
  BucketCounts stored;
  stored.posts[0] = 3;
  w.load(H(2), stored);
  w.load(H(0), stored);
  ASSERT_EQ(w.buckets().size(), 2u);
  EXPECT_EQ(w.buckets()[0].start, H(0));
  EXPECT_EQ(w.buckets()[1].counts.posts[0], 4u);
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

TEST(PackedWindows, ABucketTakesAFewBytes) {
  AccountWindows w(std::chrono::hours(1));
  for (int h = 0; h < 48; ++h) {
    w.add_post(H(1000 + h), Category::professional);
    w.add_engagement(H(1000 + h) + std::chrono::minutes(5), EngagementClass::professional,
                     Action::like, 7);
  }
  w.take_pending();
  EXPECT_LT(w.bytes(), 48u * 16);  // against ~300 bytes for a BucketCounts
  EXPECT_EQ(w.window(H(1048), std::chrono::hours(48)).posts(), 48u);
}

TEST(PackedWindows, AnEventForAnOlderBucketRepacksTheTailAndIsCounted) {
  AccountWindows w(std::chrono::hours(1));
  for (int h = 0; h < 5; ++h) w.add_post(H(h), Category::professional);
  w.add_post(H(3) + std::chrono::minutes(1), Category::personal);  // late, but counted
  w.add_post(H(2), Category::promotional);
  EXPECT_EQ(w.window(H(5), std::chrono::hours(5)).posts(), 7u);
  EXPECT_EQ(w.window(H(4), std::chrono::hours(1)).posts(Category::personal), 1u);
  EXPECT_EQ(w.window(H(3), std::chrono::hours(1)).posts(Category::promotional), 1u);
  auto bs = w.buckets();
  ASSERT_EQ(bs.size(), 5u);
  for (int h = 0; h < 5; ++h) EXPECT_EQ(bs[static_cast<std::size_t>(h)].start, H(h));
  w.add_post(H(9), Category::personal);  // and the newest is still the last
  EXPECT_EQ(w.newest(), H(9));
  // Every delta is still pending for the store, the late ones included.
  const auto pending = w.take_pending();
  ASSERT_EQ(pending.size(), 6u);
  EXPECT_EQ(pending[3].counts.posts[0], 1u);
  EXPECT_EQ(pending[3].counts.posts[1], 1u);
}

TEST(PackedWindows, LoadedBucketsArePackedAndEventsMergeIntoThem) {
  AccountWindows w(std::chrono::hours(1));
  BucketCounts c;
  c.posts[1] = 2;
  w.load(H(1), c);
  w.load(H(2), c);
  w.load(H(2), c);  // merged
  EXPECT_FALSE(w.has_pending());
  w.add_post(H(2) + std::chrono::minutes(30), Category::personal);
  w.add_post(H(3), Category::personal);
  EXPECT_EQ(w.window(H(4), std::chrono::hours(3)).posts(), 8u);
  EXPECT_EQ(w.first_at_or_after(H(0), kPostInputs), H(1));
  EXPECT_EQ(w.first_at_or_after(H(0), kEngagementInputs), std::nullopt);
}

TEST(PackedWindows, ExpiryDropsPackedBucketsAndKeepsTheRest) {
  AccountWindows w(std::chrono::hours(1));
  for (int h = 0; h < 40; ++h) w.add_post(H(h), Category::professional);
  w.expire(H(30));
  EXPECT_EQ(w.window(H(40), std::chrono::hours(40)).posts(), 10u);
  EXPECT_EQ(w.first_at_or_after(H(0)), H(30));
  w.expire(H(100));
  EXPECT_TRUE(w.empty());
  w.add_post(H(101), Category::personal);
  EXPECT_EQ(w.window(H(102), std::chrono::hours(1)).posts(), 1u);
}

}  // namespace
}  // namespace kilter::pipeline

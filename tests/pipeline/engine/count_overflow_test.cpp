// Engagement counts are bounded (1 .. kMaxEngagementCount) but their sums are
// not: every sum of counts saturates at its type's maximum instead of wrapping,
// in the windows, in the stored buckets and rows, and in the post details.
#include <limits>

#include "common/saturating.h"
#include "storage/codec.h"
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

constexpr auto kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr auto kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr auto kRepost = static_cast<std::size_t>(Action::repost);
constexpr auto kPersonal = static_cast<std::size_t>(EngagementClass::personal);

TEST(SaturatingAdd, StopsAtTheMaximum) {
  EXPECT_EQ(sat_add(kU64Max - 1, std::uint64_t{1}), kU64Max);
  EXPECT_EQ(sat_add(kU64Max - 1, std::uint64_t{2}), kU64Max);
  EXPECT_EQ(sat_add(std::uint64_t{2}, std::uint64_t{3}), 5u);
  EXPECT_EQ(sat_add(std::numeric_limits<std::int64_t>::max(), std::int64_t{1}),
            std::numeric_limits<std::int64_t>::max());
  std::uint32_t posts = kU32Max - 1;
  sat_add_to(posts, std::uint64_t{1} << 40);
  EXPECT_EQ(posts, kU32Max);
}

TEST(CountSums, BucketMergeSaturates) {
  BucketCounts a, b;
  a.engagement[kPersonal][kRepost] = kU64Max - 10;
  b.engagement[kPersonal][kRepost] = kMaxEngagementCount;
  a.posts[0] = kU32Max - 1;
  b.posts[0] = 5;
  a.merge(b);
  EXPECT_EQ(a.engagement[kPersonal][kRepost], kU64Max);
  EXPECT_EQ(a.posts[0], kU32Max);
}

TEST(CountSums, PackedBucketsAddSaturating) {
  BucketCounts big;
  big.engagement[kPersonal][kRepost] = kU64Max;
  big.posts[1] = kU32Max;
  std::string packed;
  pack(packed, big);
  BucketCounts sum;
  sum.engagement[kPersonal][kRepost] = 7;
  sum.posts[1] = 3;
  std::string_view in(packed);
  ASSERT_TRUE(add_packed(in, sum));
  EXPECT_EQ(sum.engagement[kPersonal][kRepost], kU64Max);
  EXPECT_EQ(sum.posts[1], kU32Max);
}

TEST(CountSums, RowsAndPostDetailsAddSaturating) {
  namespace codec = storage::codec;
  codec::Row sum, delta;
  sum.engagement.push_back({"p-1", kU64Max - 1});
  delta.engagement.push_back({"p-1", 2 * kMaxEngagementCount});
  codec::merge_rows(sum, delta);
  ASSERT_EQ(sum.engagement.size(), 1u);
  EXPECT_EQ(sum.engagement[0].weighted, kU64Max);

  PostDetail d;
  d.engagement = kU64Max - 3;
  std::string value;
  codec::encode(value, d);
  ASSERT_TRUE(codec::add_detail_engagement(value, kMaxEngagementCount));
  PostDetail back;
  ASSERT_TRUE(codec::decode(value, back));
  EXPECT_EQ(back.engagement, kU64Max);
}

TEST(CountSums, WindowsSaturate) {
  const auto bucket = std::chrono::hours(1);
  const TimePoint t0 = from_epoch_ms(1'763'625'600'000);
  AccountWindows w(bucket);
  BucketCounts stored;
  stored.engagement[kPersonal][kRepost] = kU64Max - 100;
  w.load(t0, stored);
  w.add_engagement(t0 + Millis{1}, EngagementClass::personal, Action::repost, kMaxEngagementCount);
  EXPECT_EQ(w.window(t0 + bucket, bucket).sum.engagement[kPersonal][kRepost], kU64Max);
  // Two buckets near the maximum: their window sum saturates too.
  w.load(t0 + bucket, stored);
  EXPECT_EQ(w.window(t0 + 2 * bucket, 2 * bucket).sum.engagement[kPersonal][kRepost], kU64Max);
  // The pending delta holds what the events added, exactly.
  auto pending = w.take_pending();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].counts.engagement[kPersonal][kRepost], kMaxEngagementCount);
}

class CountEngineTest : public EngineTest {
 protected:
  void send(std::int64_t offset, const std::string& json) {
    payload_ = json;
    SourceMessage m;
    m.partition = Partition{1};
    m.offset = Offset{offset};
    m.next = Offset{offset + 1};
    m.payload = payload_;
    m.capacity = payload_.size();
    engine_->process(m);
  }
};

// Many events at the maximum count: every sum is exact (a window of a billion
// such events would still fit in 64 bits; beyond, it saturates).
TEST_F(CountEngineTest, ASumOfManyMaximumCountsIsExact) {
  engine_->open_partition(Partition{1});
  send(0, R"({"type":"post","id":"p","account":"acme","ts":)" + std::to_string(epoch_ms(t0_)) +
              R"(,"post_id":"p-1","text":"t","category":"personal"})");
  constexpr int kEvents = 1000;
  for (int i = 0; i < kEvents; ++i)
    send(1 + i, R"({"type":"engagement","id":"e-)" + std::to_string(i) +
                    R"(","account":"acme","ts":)" + std::to_string(epoch_ms(t0_) + 1 + i) +
                    R"(,"post_id":"p-1","action":"repost","count":)" +
                    std::to_string(kMaxEngagementCount) + "}");
  send(kEvents + 1, R"({"type":"engagement","id":"over","account":"acme","ts":)" +
                        std::to_string(epoch_ms(t0_)) +
                        R"(,"post_id":"p-1","action":"repost","count":4294967296})");
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::ok)], kEvents + 1u);
  EXPECT_EQ(engine_->stats().bad[static_cast<std::size_t>(BadInput::bad_value)], 1u);
  ASSERT_TRUE(engine_->commit().ok());
  std::uint64_t stored = 0;
  store_->scan_account_buckets(
      Partition{1}, "acme", TimePoint::min(),
      [&](TimePoint, const BucketCounts& c) { stored += c.engagement[kPersonal][kRepost]; });
  EXPECT_EQ(stored, kEvents * kMaxEngagementCount);
  std::uint64_t weighted = 0;
  store_->scan_post_details(
      Partition{1}, "acme", t0_, t0_ + std::chrono::hours(1),
      [&](TimePoint, std::string_view, const PostDetail& d) { weighted = d.engagement; });
  EXPECT_EQ(weighted, 2 * kEvents * kMaxEngagementCount);  // repost weighs 2
}

}  // namespace
}  // namespace kilter::pipeline

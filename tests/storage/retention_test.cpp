#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "storage/rocks_store.h"
#include "storage/state_store.h"

namespace kilter::storage {
namespace {

const Partition kP0{0};
const Partition kP1{1};
constexpr std::int64_t kHour = 3'600'000;
const TimePoint kT0 = from_epoch_ms(1'763'630'100'000);  // an hour boundary

// Joins a prefix and a number (GCC 12 warns falsely on "literal" + std::string).
std::string id(std::string_view prefix, std::uint64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

TimePoint hour(int n) {
  return kT0 + Millis{n * kHour};
}

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           id("kilter-retention-", (std::uint64_t{rd()} << 32) | rd());
    reopen();
    // Two partitions, six hours of one account each: buckets, posts, details, seen.
    for (auto p : {kP0, kP1}) {
      auto b = store_->new_batch();
      for (int h = 0; h < 6; ++h) {
        BucketCounts c;
        c.posts[0] = 1;
        auto post = id("p", h);
        b->merge_bucket(p, "acme", hour(h), c);
        b->put_post(p, post, PostRef{"acme", Category::personal, hour(h) + Millis{1}});
        b->put_post_detail(p, "acme", hour(h) + Millis{1}, post, PostDetail{});
        b->add_post_engagement(p, "acme", hour(h) + Millis{1}, post, 3);
        const SeenId seen{hour(h) + Millis{1}, static_cast<std::uint64_t>(100 + h)};
        b->put_seen_ids(p, Offset{h}, std::span(&seen, 1));  // one block per hour
      }
      b->put_meta(p, PartitionMeta{});
      ASSERT_TRUE(store_->commit(*b, false).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void reopen() {
    store_.reset();
    auto r = open_rocks_store(RocksOptions{dir_.string(), 8 << 20});
    ASSERT_TRUE(r.ok()) << r.error().message;
    store_ = std::move(r).value();
  }
  std::size_t bucket_count(Partition p) {
    std::size_t n = 0;
    store_->scan_buckets(p, TimePoint::min(),
                         [&](std::string_view, TimePoint, const BucketCounts&) { ++n; });
    return n;
  }
  std::size_t detail_count(Partition p) {
    std::size_t n = 0;
    store_->scan_post_details(p, "acme", TimePoint::min(), TimePoint::max(),
                              [&](TimePoint, std::string_view, const PostDetail&) { ++n; });
    return n;
  }
  std::size_t posts_found(Partition p) {
    std::size_t n = 0;
    for (int h = 0; h < 6; ++h) n += store_->find_post(p, id("p", h)).has_value();
    return n;
  }
  std::vector<std::uint64_t> seen_ids(Partition p, TimePoint from = TimePoint::min()) {
    std::vector<std::uint64_t> out;
    store_->scan_seen_ids(p, from, [&](const SeenId& s) { out.push_back(s.id); });
    return out;
  }
  std::size_t seen_found(Partition p) { return seen_ids(p).size(); }
  std::uint64_t raw(const char* cf, Partition p) {
    auto r = count_raw_entries(*store_, cf, p);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : 0;
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(RetentionTest, ExpireHidesOldStateAndSeenIdsAtOnceAndCompactionRemovesThem) {
  // Keep hours 2.. of state; keep seen ids from the middle of hour 3 on.
  ASSERT_TRUE(store_->expire(kP0, hour(2), hour(3) + Millis{kHour / 2}).ok());
  EXPECT_EQ(bucket_count(kP0), 4u);
  EXPECT_EQ(detail_count(kP0), 4u);
  EXPECT_EQ(posts_found(kP0), 4u);
  EXPECT_FALSE(store_->find_post(kP0, "p1"));
  EXPECT_TRUE(store_->find_post(kP0, "p2"));
  // The engagement added to an expired detail does not resurrect it.
  store_->scan_post_details(kP0, "acme", TimePoint::min(), TimePoint::max(),
                            [&](TimePoint ts, std::string_view, const PostDetail& d) {
                              EXPECT_GE(ts, hour(2));
                              EXPECT_EQ(d.engagement, 3u);
                            });
  // Seen ids of hours 0-3 are older than the cutoff: no longer seen, and gone
  // from the disk once compacted.
  EXPECT_EQ(seen_ids(kP0), (std::vector<std::uint64_t>{104, 105}));
  ASSERT_TRUE(compact_all(*store_).ok());
  EXPECT_EQ(raw("seen", kP0), 2u);
  EXPECT_EQ(raw("seen", kP1), 6u);

  // The other partition is untouched.
  EXPECT_EQ(bucket_count(kP1), 6u);
  EXPECT_EQ(posts_found(kP1), 6u);
  EXPECT_EQ(seen_found(kP1), 6u);

  // Cutoffs survive a restart.
  reopen();
  EXPECT_EQ(bucket_count(kP0), 4u);
  EXPECT_EQ(posts_found(kP0), 4u);
  EXPECT_EQ(seen_found(kP0), 2u);
  EXPECT_EQ(bucket_count(kP1), 6u);
}

TEST_F(RetentionTest, ReadsRespectBothTheCallersBoundAndTheCutoff) {
  ASSERT_TRUE(store_->expire(kP0, hour(2), TimePoint::min()).ok());
  std::size_t n = 0;
  store_->scan_buckets(kP0, hour(4), [&](std::string_view, TimePoint t, const BucketCounts&) {
    EXPECT_GE(t, hour(4));
    ++n;
  });
  EXPECT_EQ(n, 2u);
  n = 0;
  store_->scan_post_details(kP0, "acme", hour(0), hour(3),
                            [&](TimePoint, std::string_view, const PostDetail&) { ++n; });
  EXPECT_EQ(n, 1u);                // hour 2 only: hours 0-1 are expired
  EXPECT_EQ(seen_found(kP0), 6u);  // a minimal seen cutoff keeps every id
}

TEST_F(RetentionTest, CutoffsNeverMoveBack) {
  ASSERT_TRUE(store_->expire(kP0, hour(3), hour(3)).ok());
  ASSERT_TRUE(store_->expire(kP0, hour(1), hour(1)).ok());
  EXPECT_EQ(bucket_count(kP0), 3u);
  EXPECT_EQ(seen_found(kP0), 3u);
  reopen();
  EXPECT_EQ(bucket_count(kP0), 3u);
}

TEST_F(RetentionTest, CompactionReclaimsExpiredEntries) {
  // Buckets are stored a day to a row: the six hours share one, and a bucket
  // two days older has a row of its own.
  auto b = store_->new_batch();
  BucketCounts c;
  c.posts[0] = 1;
  b->merge_bucket(kP0, "acme", hour(-48), c);
  ASSERT_TRUE(store_->commit(*b, false).ok());
  ASSERT_TRUE(store_->expire(kP0, hour(2), hour(2)).ok());
  // Hidden but still stored until compaction passes over them.
  EXPECT_EQ(raw("buckets", kP0), 2u);
  EXPECT_EQ(bucket_count(kP0), 4u);
  EXPECT_EQ(raw("posts", kP0), 6u);
  EXPECT_EQ(raw("post_details", kP0), 0u);  // post details live in the day's row
  reopen();  // the filter must work from persisted cutoffs too
  ASSERT_TRUE(compact_all(*store_).ok());
  EXPECT_EQ(raw("buckets", kP0), 1u);  // the old day's row is gone, today's holds hours 2-5
  EXPECT_EQ(raw("posts", kP0), 4u);
  EXPECT_EQ(raw("seen", kP0), 4u);
  EXPECT_EQ(raw("buckets", kP1), 1u);
  EXPECT_EQ(raw("posts", kP1), 6u);
  EXPECT_EQ(bucket_count(kP0), 4u);
  EXPECT_EQ(detail_count(kP0), 4u);
}

TEST_F(RetentionTest, DropForgetsTheCutoffs) {
  ASSERT_TRUE(store_->expire(kP0, hour(5), hour(5)).ok());
  ASSERT_TRUE(store_->drop_partition(kP0).ok());
  EXPECT_EQ(raw("retention", kP0), 0u);
  // State written again after a drop (the partition came back) is not expired.
  auto b = store_->new_batch();
  b->merge_bucket(kP0, "acme", hour(0), BucketCounts{});
  const SeenId seen{hour(0), 7};
  b->put_seen_ids(kP0, Offset{9}, std::span(&seen, 1));
  ASSERT_TRUE(store_->commit(*b, false).ok());
  reopen();
  EXPECT_EQ(bucket_count(kP0), 1u);
  EXPECT_EQ(seen_ids(kP0), (std::vector<std::uint64_t>{7}));
}

TEST_F(RetentionTest, RawCountsNeedAKnownFamily) {
  EXPECT_FALSE(count_raw_entries(*store_, "nope", kP0).ok());
}

}  // namespace
}  // namespace kilter::storage

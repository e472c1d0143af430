// Row v4: the posts an account made that day, kept in its day row (issue 13).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/codec.h"

namespace kilter::storage {
namespace {

codec::RowPost row_post(Millis offset, std::string id, Category c, std::string matched) {
  codec::RowPost p;
  p.offset = offset;
  p.id = std::move(id);
  p.detail.category = c;
  p.detail.confidence = 0.75f;
  p.detail.matched = std::move(matched);
  p.detail.link = "https://example.com/" + p.id;
  return p;
}

void expect_same_posts(const std::vector<codec::RowPost>& got,
                       const std::vector<codec::RowPost>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].offset, want[i].offset);
    EXPECT_EQ(got[i].id, want[i].id);
    EXPECT_EQ(got[i].detail.category, want[i].detail.category);
    EXPECT_EQ(got[i].detail.confidence, want[i].detail.confidence);
    EXPECT_EQ(got[i].detail.matched, want[i].detail.matched);
    EXPECT_EQ(got[i].detail.link, want[i].detail.link);
  }
}

TEST(Codec, RowsKeepTheirPostsInTimeOrderAndAPutAgainReplaces) {
  BucketCounts one;
  one.posts[0] = 1;
  codec::Row a;
  a.buckets = {{Millis{0}, one}};
  a.posts = {row_post(Millis{5}, "p-2", Category::personal, "family"),
             row_post(std::chrono::hours(3), "p-1", Category::promotional, "")};
  std::string bytes;
  codec::encode_row(bytes, a);
  EXPECT_EQ(bytes[0], 4);
  codec::Row got;
  ASSERT_TRUE(codec::decode_row(bytes, got));
  expect_same_posts(got.posts, a.posts);
  EXPECT_TRUE(got.engagement.empty());
  std::vector<codec::RowEntry> buckets;
  ASSERT_TRUE(codec::decode_row(bytes, buckets));  // the posts are checked and skipped
  ASSERT_EQ(buckets.size(), 1u);
  // The hot path's one-post operand merges in time order; the same post again
  // (same time and id) replaces the earlier one.
  std::string operand;
  const auto early = row_post(Millis{1}, "p-9", Category::professional, "quarterly");
  codec::encode_row_post(operand, early.offset, early.id, early.detail);
  codec::Row delta;
  ASSERT_TRUE(codec::decode_row(operand, delta));
  codec::merge_rows(got, delta);
  auto again = row_post(Millis{5}, "p-2", Category::professional, "revised");
  codec::merge_rows(got, codec::Row{{}, {}, {again}});
  expect_same_posts(got.posts, {early, again, a.posts[1]});
  EXPECT_EQ(got.buckets.size(), 1u);
  // Engagement and posts together.
  operand.clear();
  codec::encode_row_engagement(operand, "p-2", 4);
  ASSERT_TRUE(codec::decode_row(operand, delta));
  codec::merge_rows(got, delta);
  bytes.clear();
  codec::encode_row(bytes, got);
  codec::Row back;
  ASSERT_TRUE(codec::decode_row(bytes, back));
  EXPECT_EQ(back.engagement, (std::vector<codec::PostEngagement>{{"p-2", 4}}));
  expect_same_posts(back.posts, got.posts);
}

TEST(Codec, RowPostsRejectCorruptInput) {
  std::string good;
  codec::Row a;
  a.posts = {row_post(Millis{5}, "p-1", Category::personal, "x")};
  codec::encode_row(good, a);
  codec::Row out;
  std::vector<codec::RowEntry> buckets;
  for (std::size_t n = 0; n < good.size(); ++n) {  // every truncation
    EXPECT_FALSE(codec::decode_row(good.substr(0, n), out)) << n;
    EXPECT_FALSE(codec::decode_row(good.substr(0, n), buckets)) << n;
  }
  EXPECT_FALSE(codec::decode_row(good + "x", out));
  codec::Row backwards;
  backwards.posts = {row_post(Millis{9}, "p-1", Category::personal, ""),
                     row_post(Millis{5}, "p-2", Category::personal, "")};
  std::string bytes;
  codec::encode_row(bytes, backwards);
  EXPECT_FALSE(codec::decode_row(bytes, out));
  codec::Row twice;
  twice.posts = {row_post(Millis{5}, "p-1", Category::personal, ""),
                 row_post(Millis{5}, "p-1", Category::personal, "")};
  bytes.clear();
  codec::encode_row(bytes, twice);
  EXPECT_FALSE(codec::decode_row(bytes, out));
  codec::Row late;
  late.posts = {row_post(codec::kRowSpan, "p-1", Category::personal, "")};
  bytes.clear();
  codec::encode_row(bytes, late);
  EXPECT_FALSE(codec::decode_row(bytes, buckets));  // a time past the day
  std::string bad_category = good;
  // version, 0 buckets, 0 engagement, 1 post, offset 5, id length 3, "p-1", category
  ASSERT_EQ(bad_category[9], static_cast<char>(Category::personal));
  bad_category[9] = static_cast<char>(kCategories);
  EXPECT_FALSE(codec::decode_row(bad_category, out));
}

}  // namespace
}  // namespace kilter::storage

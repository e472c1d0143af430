// Post details kept in the account's day rows (issue 13: no key per post), and
// those a release before rows kept them wrote under keys of their own.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/codec.h"
#include "storage/keys.h"
#include "storage/portable.h"
#include "storage/rocks_store.h"
#include "storage/state_store.h"

namespace kilter::storage {
namespace {

const Partition kP{3};
const TimePoint kDay = from_epoch_ms(1'763'596'800'000);  // 2025-11-20 00:00 UTC

TimePoint at_hour(int h) {
  return kDay + std::chrono::hours(h);
}

PostDetail detail(Category c, std::string matched) {
  PostDetail d;
  d.category = c;
  d.confidence = 0.5f;
  d.matched = std::move(matched);
  d.link = "https://example.com";
  return d;
}

struct Seen {
  TimePoint ts;
  std::string id;
  PostDetail d;
};

class PostRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("kilter-post-rows-" + std::to_string((std::uint64_t{rd()} << 32) | rd()));
    auto r = open_rocks_store(RocksOptions{dir_.string(), 8 << 20});
    ASSERT_TRUE(r.ok()) << r.error().message;
    store_ = std::move(r).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::vector<Seen> scan(std::string_view account, TimePoint from = TimePoint::min(),
                         TimePoint to = TimePoint::max()) {
    std::vector<Seen> out;
    store_->scan_post_details(kP, account, from, to,
                              [&](TimePoint ts, std::string_view id, const PostDetail& d) {
                                out.push_back({ts, std::string(id), d});
                              });
    return out;
  }
  // A post detail as a release before rows stored it: a key of its own (with
  // the engagement merged into it), written here through a portable delta.
  void put_legacy(std::string_view account, TimePoint ts, std::string_view id,
                  const PostDetail& d) {
    std::string key;
    keys::post_detail_key(key, kP, account, ts, id);
    std::string value;
    codec::encode(value, d);
    std::string body;
    portable::BodyBuilder b;
    b.begin(body, portable::kDeltaV1);
    b.add(body, portable::Family::post_details, portable::OpKind::put, std::string_view(key).substr(4),
          value);
    b.finish(body);
    const std::string_view one[] = {body};
    auto r = store_->apply_deltas(kP, one, std::nullopt, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  void commit(Batch& b) {
    auto r = store_->commit(b, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(PostRowsTest, PostsLiveInTheirDayRowInTimeOrderWithinTheBounds) {
  auto b = store_->new_batch();
  b->put_post_detail(kP, "acme", at_hour(30), "p-3", detail(Category::personal, "kids"));
  b->put_post_detail(kP, "acme", at_hour(5), "p-2", detail(Category::professional, "q3"));
  b->put_post_detail(kP, "acme", at_hour(5), "p-1", detail(Category::promotional, ""));
  b->put_post_detail(kP, "acmex", at_hour(6), "p-9", detail(Category::personal, ""));
  commit(*b);
  // Engagement is kept in the row of the day it came, for a post of any day.
  b->add_post_engagement(kP, "acme", at_hour(5), "p-1", 3);
  b->add_post_engagement(kP, "acme", at_hour(50), "p-1", 4);
  b->add_post_engagement(kP, "acme", at_hour(31), "p-3", 1);
  commit(*b);
  EXPECT_EQ(count_raw_entries(*store_, "post_details", kP).value(), 0u);
  EXPECT_EQ(count_raw_entries(*store_, "buckets", kP).value(), 4u);  // acme: 3 days; acmex: 1

  const auto all = scan("acme");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "p-1");  // same time: by id
  EXPECT_EQ(all[0].ts, at_hour(5));
  EXPECT_EQ(all[0].d.category, Category::promotional);
  EXPECT_EQ(all[0].d.engagement, 7u);
  EXPECT_EQ(all[1].id, "p-2");
  EXPECT_EQ(all[1].d.matched, "q3");
  EXPECT_EQ(all[1].d.link, "https://example.com");
  EXPECT_EQ(all[1].d.confidence, 0.5f);
  EXPECT_EQ(all[1].d.engagement, 0u);
  EXPECT_EQ(all[2].id, "p-3");
  EXPECT_EQ(all[2].ts, at_hour(30));
  EXPECT_EQ(all[2].d.engagement, 1u);

  // [from, to): a post at `to` is out, one at `from` in; the engagement of
  // later days still counts for a post inside the bounds.
  const auto first_day = scan("acme", at_hour(5), at_hour(30));
  ASSERT_EQ(first_day.size(), 2u);
  EXPECT_EQ(first_day[0].d.engagement, 7u);
  EXPECT_EQ(scan("acme", at_hour(6), at_hour(30)).size(), 0u);
  ASSERT_EQ(scan("acmex").size(), 1u);  // an account that extends another's id
  EXPECT_EQ(scan("acmex")[0].id, "p-9");

  // Retention hides what is older than the cutoff at once.
  ASSERT_TRUE(store_->expire(kP, at_hour(6), at_hour(6)).ok());
  ASSERT_EQ(scan("acme").size(), 1u);
  EXPECT_EQ(scan("acme")[0].id, "p-3");
}

TEST_F(PostRowsTest, PostsStoredUnderKeysOfTheirOwnAreStillReadWithTheRest) {
  put_legacy("acme", at_hour(2), "old-1", [] {
    auto d = detail(Category::personal, "dog");
    d.engagement = 9;  // merged into the value by that release
    return d;
  }());
  auto b = store_->new_batch();
  b->put_post_detail(kP, "acme", at_hour(1), "new-0", detail(Category::professional, ""));
  b->put_post_detail(kP, "acme", at_hour(3), "new-1", detail(Category::professional, ""));
  b->add_post_engagement(kP, "acme", at_hour(4), "old-1", 1);
  commit(*b);
  const auto all = scan("acme");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "new-0");
  EXPECT_EQ(all[1].id, "old-1");
  EXPECT_EQ(all[1].d.matched, "dog");
  EXPECT_EQ(all[1].d.engagement, 10u);
  EXPECT_EQ(all[2].id, "new-1");
  EXPECT_EQ(count_raw_entries(*store_, "post_details", kP).value(), 1u);
  // Put again (a redelivery after the upgrade), it is shown once, as put last.
  b->put_post_detail(kP, "acme", at_hour(2), "old-1", detail(Category::professional, "cat"));
  commit(*b);
  const auto again = scan("acme");
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[1].id, "old-1");
  EXPECT_EQ(again[1].d.matched, "cat");
  EXPECT_EQ(again[1].d.engagement, 1u);  // what add_post_engagement added (the old value's is gone)

  // Exported and imported elsewhere, both kinds come back the same.
  std::vector<std::string> chunks;
  auto exported = store_->export_partition(kP, kDefaultChunkBytes, [&](std::string_view c) {
    chunks.emplace_back(c);
    return Result<void>{};
  });
  ASSERT_TRUE(exported.ok()) << exported.error().message;
  auto import = store_->begin_import(Partition{4});
  ASSERT_TRUE(import.ok());
  for (const auto& c : chunks) ASSERT_TRUE(import.value()->add(c).ok());
  ASSERT_TRUE(import.value()->finish(std::nullopt).ok());
  std::vector<Seen> moved;
  store_->scan_post_details(Partition{4}, "acme", TimePoint::min(), TimePoint::max(),
                            [&](TimePoint ts, std::string_view id, const PostDetail& d) {
                              moved.push_back({ts, std::string(id), d});
                            });
  ASSERT_EQ(moved.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(moved[i].id, again[i].id);
    EXPECT_EQ(moved[i].ts, again[i].ts);
    EXPECT_EQ(moved[i].d.matched, again[i].d.matched);
    EXPECT_EQ(moved[i].d.engagement, again[i].d.engagement);
  }
}

}  // namespace
}  // namespace kilter::storage

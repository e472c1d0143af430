#include "storage/batch_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace kilter::storage {
namespace {

class BatchWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("kilter-writer-" + std::to_string(rd()));
    auto s = open_rocks_store({.path = dir_.string()});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::filesystem::path dir_;
  std::unique_ptr<StateStore> store_;
};

TEST_F(BatchWriterTest, WritesOneBatchAtATimeAndHandsItBackEmpty) {
  BatchWriter writer(*store_);
  EXPECT_FALSE(writer.busy());
  for (int i = 1; i <= 3; ++i) {
    auto b = store_->new_batch();
    b->put_meta(Partition{1}, PartitionMeta{Offset{i}, {}, {}, 0});
    auto before = store_->snapshot();
    writer.submit(std::move(b), false);
    EXPECT_TRUE(writer.busy());
    auto [r, back] = writer.wait();
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(writer.busy());
    ASSERT_NE(back, nullptr);
    EXPECT_TRUE(back->empty());  // reusable
    EXPECT_EQ(store_->meta(Partition{1})->position, Offset{i});
    EXPECT_GE(writer.last_seconds(), 0.0);
  }
}

TEST_F(BatchWriterTest, AFailedWriteComesBackAsAnErrorWithItsBatch) {
  BatchWriter writer(*store_);
  // A batch of another store cannot be committed here.
  auto other_dir = dir_ / "other";
  auto other = open_rocks_store({.path = other_dir.string()});
  ASSERT_TRUE(other.ok());
  auto b = (*other)->new_batch();
  b->put_meta(Partition{1}, PartitionMeta{});
  writer.submit(std::move(b), false);
  auto [r, back] = writer.wait();
  EXPECT_FALSE(r.ok());
  ASSERT_NE(back, nullptr);
  EXPECT_FALSE(back->empty());  // as it was
}

TEST_F(BatchWriterTest, ASnapshotDoesNotSeeWhatIsWrittenAfterIt) {
  auto b = store_->new_batch();
  b->put_post_detail(Partition{1}, "acme", from_epoch_ms(1000), "p-1", PostDetail{});
  ASSERT_TRUE(store_->commit(*b, false).ok());
  auto snap = store_->snapshot();
  b->put_post_detail(Partition{1}, "acme", from_epoch_ms(2000), "p-2", PostDetail{});
  ASSERT_TRUE(store_->commit(*b, false).ok());
  auto count = [&](const Snapshot* at) {
    int n = 0;
    store_->scan_post_details(
        Partition{1}, "acme", TimePoint::min(), TimePoint::max(),
        [&](TimePoint, std::string_view, const PostDetail&) { ++n; }, at);
    return n;
  };
  EXPECT_EQ(count(snap.get()), 1);
  EXPECT_EQ(count(nullptr), 2);
}

}  // namespace
}  // namespace kilter::storage

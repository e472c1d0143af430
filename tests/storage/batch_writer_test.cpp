#include "storage/batch_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "common/clock.h"

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
  SystemClock clock;
  BatchWriter writer(*store_, clock);
  EXPECT_FALSE(writer.busy());
  for (int i = 1; i <= 3; ++i) {
    auto b = store_->new_batch();
    b->put_meta(Partition{1}, PartitionMeta{Offset{i}, {}, {}, 0, {}, 0, {}});
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

// A store whose commits take `took` of the simulated clock's time.
class SlowStore final : public StateStore {
 public:
  SlowStore(StateStore& s, SimulatedClock& clock, Millis took)
      : s_(s), clock_(clock), took_(took) {}
  std::unique_ptr<Batch> new_batch() override { return s_.new_batch(); }
  Result<void> commit(Batch& b, bool sync) override {
    clock_.advance(took_);
    return s_.commit(b, sync);
  }
  std::optional<Error> failure() const override { return s_.failure(); }
  std::vector<Partition> partitions() override { return s_.partitions(); }
  std::optional<PartitionMeta> meta(Partition p) override { return s_.meta(p); }
  std::optional<PostRef> find_post(Partition p, std::string_view id) override {
    return s_.find_post(p, id);
  }
  void scan_seen_ids(Partition p, TimePoint from,
                     const std::function<void(const SeenId&)>& fn) override {
    s_.scan_seen_ids(p, from, fn);
  }
  void scan_buckets(
      Partition p, TimePoint from,
      const std::function<void(std::string_view, TimePoint, const BucketCounts&)>& fn) override {
    s_.scan_buckets(p, from, fn);
  }
  void scan_account_buckets(
      Partition p, std::string_view account, TimePoint from,
      const std::function<void(TimePoint, const BucketCounts&)>& fn) override {
    s_.scan_account_buckets(p, account, from, fn);
  }
  void scan_post_details(
      Partition p, std::string_view account, TimePoint from, TimePoint to,
      const std::function<void(TimePoint, std::string_view, const PostDetail&)>& fn,
      const Snapshot* at) override {
    s_.scan_post_details(p, account, from, to, fn, at);
  }
  std::shared_ptr<const Snapshot> snapshot() override { return s_.snapshot(); }
  void scan_alert_states(Partition p, const std::function<void(std::string_view, std::string_view,
                                                               const AlertState&)>& fn) override {
    s_.scan_alert_states(p, fn);
  }
  void scan_outbox(Partition p,
                   const std::function<void(std::uint64_t, std::string_view,
                                            const std::vector<std::string>&, bool)>& fn) override {
    s_.scan_outbox(p, fn);
  }
  std::vector<Partition> outbox_partitions() override { return s_.outbox_partitions(); }
  Result<void> expire(Partition p, TimePoint cutoff, TimePoint seen_cutoff) override {
    return s_.expire(p, cutoff, seen_cutoff);
  }
  Result<void> drop_partition(Partition p) override { return s_.drop_partition(p); }
  StoreStats stats() const override { return s_.stats(); }
  const std::string& instance_id() const override { return s_.instance_id(); }
  Result<std::uint32_t> source_id(std::string_view name) override { return s_.source_id(name); }

 private:
  StateStore& s_;
  SimulatedClock& clock_;
  Millis took_;
};

TEST_F(BatchWriterTest, TimesEachWriteWithTheInjectedClock) {
  SimulatedClock clock{from_epoch_ms(1'763'625'600'000)};
  SlowStore slow(*store_, clock, Millis{250});
  BatchWriter writer(slow, clock);
  auto b = slow.new_batch();
  b->put_meta(Partition{1}, PartitionMeta{Offset{1}, {}, {}, 0, {}, 0, {}});
  writer.submit(std::move(b), false);
  auto [r, back] = writer.wait();
  ASSERT_TRUE(r.ok()) << r.error().message;
  // The simulated write took 250 ms, whatever the real one took.
  EXPECT_DOUBLE_EQ(writer.last_seconds(), 0.25);
}

TEST_F(BatchWriterTest, AFailedWriteComesBackAsAnErrorWithItsBatch) {
  SystemClock clock;
  BatchWriter writer(*store_, clock);
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

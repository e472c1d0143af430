#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "storage/rocks_store.h"
#include "storage/state_store.h"

namespace kilter::storage {
namespace {

using namespace std::literals;

const Partition kP0{0};
const std::vector<std::string> kSinks = {"file"};
const Partition kP1{1};
constexpr std::int64_t kHour = 3'600'000;
const TimePoint kT0 = from_epoch_ms(1'763'630'100'000);  // 2025-11-20, an hour boundary

// Joins a prefix and a number (GCC 12 warns falsely on "literal" + std::string).
std::string id(std::string_view prefix, std::uint64_t n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

TimePoint hour(int n) {
  return kT0 + Millis{n * kHour};
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           id("kilter-storage-", (std::uint64_t{rd()} << 32) | rd());
    reopen();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void reopen() {
    store_.reset();  // releases the RocksDB lock before the next open
    auto r = open_rocks_store(RocksOptions{dir_.string(), 8 << 20});
    ASSERT_TRUE(r.ok()) << r.error().message;
    store_ = std::move(r).value();
  }
  void commit(Batch& b) {
    auto r = store_->commit(b, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  using BucketRow = std::tuple<std::string, std::int64_t, BucketCounts>;
  std::vector<BucketRow> buckets(Partition p, TimePoint from = TimePoint::min()) {
    std::vector<BucketRow> out;
    store_->scan_buckets(p, from, [&](std::string_view a, TimePoint t, const BucketCounts& c) {
      out.emplace_back(std::string(a), epoch_ms(t), c);
    });
    return out;
  }
  std::vector<std::pair<std::string, PostDetail>> details(Partition p, std::string_view account,
                                                          TimePoint from = TimePoint::min(),
                                                          TimePoint to = TimePoint::max()) {
    std::vector<std::pair<std::string, PostDetail>> out;
    store_->scan_post_details(p, account, from, to,
                              [&](TimePoint, std::string_view id, const PostDetail& d) {
                                out.emplace_back(std::string(id), d);
                              });
    return out;
  }
  std::vector<std::pair<std::uint64_t, std::string>> outbox(Partition p) {
    std::vector<std::pair<std::uint64_t, std::string>> out;
    store_->scan_outbox(p, [&](std::uint64_t s, std::string_view r, const std::vector<std::string>&,
                               bool) { out.emplace_back(s, r); });
    return out;
  }

  std::filesystem::path dir_;
  static void put_seen(Batch& b, Partition p, TimePoint ts, std::uint64_t id) {
    const SeenId one{ts, id};
    b.put_seen_ids(p, Offset{0}, std::span(&one, 1));
  }
  std::vector<SeenId> seen(Partition p, TimePoint from = TimePoint::min()) {
    std::vector<SeenId> out;
    store_->scan_seen_ids(p, from, [&](const SeenId& s) { out.push_back(s); });
    return out;
  }
  std::unique_ptr<StateStore> store_;
};

BucketCounts posts(Category c, std::uint32_t n) {
  BucketCounts b;
  b.posts[static_cast<std::size_t>(c)] = n;
  return b;
}

TEST_F(StoreTest, CommitThenReopenReturnsTheSameState) {
  auto b = store_->new_batch();
  EXPECT_TRUE(b->empty());
  PartitionMeta meta{Offset{4242}, hour(3), hour(2), 7, {}, 0, {}};
  BucketCounts counts = posts(Category::professional, 2);
  counts.engagement[1][3] = 40;
  counts.followers.add(epoch_ms(hour(1)), 12850);
  b->merge_bucket(kP0, "acme", hour(1), counts);
  b->put_post(kP0, "p-1", PostRef{"acme", Category::professional, hour(1) + Millis{5}});
  b->put_post_detail(kP0, "acme", hour(1), "p-1",
                     PostDetail{Category::professional, 0.9f, 0, "q3", "https://a.example"});
  b->put_alert_state(kP0, "acme", "brand-on-topic",
                     AlertState{AlertPhase::firing, hour(2), 0.42, true, hour(3), hour(3)});
  b->put_outbox(kP0, 7, R"({"alert_id":"acme/personal_share/7d"})", kSinks);
  put_seen(*b, kP0, hour(1), 1);
  b->put_meta(kP0, meta);
  EXPECT_FALSE(b->empty());
  EXPECT_GT(b->approximate_bytes(), 0u);
  commit(*b);
  EXPECT_TRUE(b->empty());  // a committed batch is left empty, ready for reuse

  reopen();
  EXPECT_EQ(store_->partitions(), std::vector<Partition>{kP0});
  EXPECT_EQ(store_->meta(kP0), meta);
  EXPECT_EQ(store_->meta(kP1), std::nullopt);
  auto rows = buckets(kP0);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], BucketRow("acme", epoch_ms(hour(1)), counts));
  auto ref = store_->find_post(kP0, "p-1");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->account, "acme");
  EXPECT_EQ(ref->category, Category::professional);
  EXPECT_EQ(ref->ts, hour(1) + Millis{5});
  EXPECT_FALSE(store_->find_post(kP0, "p-2"));
  auto d = details(kP0, "acme");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].first, "p-1");
  EXPECT_EQ(d[0].second.matched, "q3");
  EXPECT_EQ(d[0].second.link, "https://a.example");
  int alerts = 0;
  store_->scan_alert_states(kP0, [&](std::string_view a, std::string_view r, const AlertState& s) {
    ++alerts;
    EXPECT_EQ(a, "acme");
    EXPECT_EQ(r, "brand-on-topic");
    EXPECT_EQ(s.phase, AlertPhase::firing);
    EXPECT_EQ(s.since, hour(2));
    EXPECT_EQ(s.last_value, 0.42);
  });
  EXPECT_EQ(alerts, 1);
  EXPECT_EQ(outbox(kP0), (std::vector<std::pair<std::uint64_t, std::string>>{
                             {7, R"({"alert_id":"acme/personal_share/7d"})"}}));
  EXPECT_EQ(seen(kP0), (std::vector<SeenId>{{hour(1), 1}}));
}

TEST_F(StoreTest, MergesAccumulateAcrossBatchesAndReopen) {
  BucketCounts expected;
  for (int i = 0; i < 3; ++i) {
    auto b = store_->new_batch();
    BucketCounts delta = posts(Category::personal, 1);
    delta.engagement[0][0] = 10;
    delta.followers.add(epoch_ms(hour(0)) + i * 1000, 100 + i);
    b->merge_bucket(kP0, "acme", hour(0), delta);
    b->merge_bucket(kP0, "acme", hour(0), delta);  // twice in one batch too
    expected.merge(delta);
    expected.merge(delta);
    if (i == 0) {
      b->put_post_detail(kP0, "acme", hour(0), "p-1", PostDetail{Category::personal, 1, 5, "", ""});
    }
    b->add_post_engagement(kP0, "acme", hour(0), "p-1", 10);  // same batch as the put, then later
    commit(*b);
    if (i == 1) reopen();
  }
  auto rows = buckets(kP0);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::get<2>(rows[0]), expected);
  EXPECT_EQ(std::get<2>(rows[0]).posts[0], 6u);
  EXPECT_EQ(std::get<2>(rows[0]).followers.first, 100);
  EXPECT_EQ(std::get<2>(rows[0]).followers.last, 102);
  ASSERT_EQ(details(kP0, "acme").size(), 1u);
  // Engagement is only what add_post_engagement added: 3 x 10 (a detail's own
  // engagement field is not stored).
  EXPECT_EQ(details(kP0, "acme")[0].second.engagement, 30u);

  reopen();
  ASSERT_TRUE(compact_all(*store_).ok());  // merges folded by compaction give the same sums
  EXPECT_EQ(std::get<2>(buckets(kP0).at(0)), expected);
  EXPECT_EQ(details(kP0, "acme").at(0).second.engagement, 30u);

  // A put replaces the post's record, not the engagement kept with the
  // buckets: 3 x 10 + 2.
  auto b = store_->new_batch();
  b->put_post_detail(kP0, "acme", hour(0), "p-1", PostDetail{Category::personal, 1, 1, "", ""});
  b->add_post_engagement(kP0, "acme", hour(0), "p-1", 2);
  commit(*b);
  EXPECT_EQ(details(kP0, "acme").at(0).second.engagement, 32u);
  // The engagement of a day is stored in that day's row, for the posts of any day.
  b->add_post_engagement(kP0, "acme", hour(30), "p-1", 4);
  commit(*b);
  EXPECT_EQ(details(kP0, "acme").at(0).second.engagement, 36u);
  // The post is kept in its day's row: no key of its own (issue 13).
  EXPECT_EQ(count_raw_entries(*store_, "post_details", kP0).value(), 0u);
  EXPECT_EQ(count_raw_entries(*store_, "buckets", kP0).value(), 2u);
}

TEST_F(StoreTest, UncommittedBatchLeavesNothing) {
  {
    auto b = store_->new_batch();
    b->merge_bucket(kP0, "acme", hour(0), posts(Category::personal, 1));
    b->put_post(kP0, "p-1", PostRef{"acme", Category::personal, hour(0)});
    put_seen(*b, kP0, hour(0), 1);
    b->put_meta(kP0, PartitionMeta{Offset{10}, hour(0), hour(0), 0, {}, 0, {}});
  }
  EXPECT_TRUE(buckets(kP0).empty());
  reopen();
  EXPECT_TRUE(store_->partitions().empty());
  EXPECT_TRUE(buckets(kP0).empty());
  EXPECT_FALSE(store_->find_post(kP0, "p-1"));
  EXPECT_TRUE(seen(kP0).empty());
  EXPECT_EQ(store_->stats().commits, 0u);
}

TEST_F(StoreTest, CommitCountsAndRejectsForeignBatches) {
  auto b = store_->new_batch();
  b->put_meta(kP0, PartitionMeta{});
  const auto bytes = b->approximate_bytes();
  ASSERT_TRUE(store_->commit(*b, true).ok());
  EXPECT_EQ(store_->stats().commits, 1u);
  // The estimate is close to what was written (the WriteBatch framing differs).
  EXPECT_GE(store_->stats().committed_bytes, bytes / 2);
  EXPECT_LE(store_->stats().committed_bytes, bytes * 2);
  ASSERT_TRUE(store_->commit(*b, true).ok());  // empty + sync: only syncs the WAL
  EXPECT_EQ(store_->stats().commits, 1u);

  auto other_dir = dir_ / "other";
  auto other = open_rocks_store(RocksOptions{other_dir.string(), 1 << 20});
  ASSERT_TRUE(other.ok()) << other.error().message;
  auto foreign = (*other)->new_batch();
  foreign->put_meta(kP1, PartitionMeta{});
  auto r = store_->commit(*foreign, false);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(foreign->empty());  // a failed commit leaves the batch as it was
  EXPECT_FALSE(store_->meta(kP1));
}

TEST_F(StoreTest, SecondOpenOfTheSameDirectoryFails) {
  auto r = open_rocks_store(RocksOptions{dir_.string(), 1 << 20});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("lock"), std::string::npos) << r.error().message;
}

TEST_F(StoreTest, PartitionsAreIsolated) {
  for (auto p : {kP0, kP1, Partition{-3}}) {
    auto b = store_->new_batch();
    b->merge_bucket(p, "acme", hour(0), posts(Category::personal, 1));
    b->put_post(p, "p-1", PostRef{"acme", Category::personal, hour(0)});
    b->put_post_detail(p, "acme", hour(0), "p-1", PostDetail{});
    put_seen(*b, p, hour(0), 1);
    b->put_alert_state(p, "acme", "r", AlertState{});
    b->put_outbox(p, 1, "x", kSinks);
    b->put_meta(p, PartitionMeta{Offset{p.value()}, {}, {}, 2, {}, 0, {}});
    commit(*b);
  }
  EXPECT_EQ(store_->partitions(), (std::vector<Partition>{Partition{-3}, kP0, kP1}));
  ASSERT_TRUE(store_->drop_partition(kP0).ok());
  reopen();
  EXPECT_EQ(store_->partitions(), (std::vector<Partition>{Partition{-3}, kP1}));
  EXPECT_FALSE(store_->meta(kP0));
  EXPECT_TRUE(buckets(kP0).empty());
  EXPECT_FALSE(store_->find_post(kP0, "p-1"));
  EXPECT_TRUE(details(kP0, "acme").empty());
  EXPECT_TRUE(seen(kP0).empty());
  EXPECT_TRUE(outbox(kP0).empty());
  for (const char* cf : {"buckets", "posts", "post_details", "seen", "alerts", "outbox", "meta"})
    EXPECT_EQ(count_raw_entries(*store_, cf, kP0).value(), 0u) << cf;

  for (auto p : {kP1, Partition{-3}}) {
    EXPECT_EQ(store_->meta(p)->position, Offset{p.value()});
    EXPECT_EQ(buckets(p).size(), 1u);
    EXPECT_TRUE(store_->find_post(p, "p-1"));
    EXPECT_EQ(details(p, "acme").size(), 1u);
    EXPECT_EQ(seen(p).size(), 1u);
    EXPECT_EQ(outbox(p).size(), 1u);
  }
}

TEST_F(StoreTest, TheLastPartitionIdCanBeDropped) {
  const Partition last{std::numeric_limits<std::int32_t>::max()};
  auto b = store_->new_batch();
  for (auto p : {kP1, last}) {
    b->put_meta(p, PartitionMeta{});
    put_seen(*b, p, hour(0), 1);
  }
  commit(*b);
  ASSERT_TRUE(store_->drop_partition(last).ok());
  EXPECT_FALSE(store_->meta(last));
  EXPECT_TRUE(seen(last).empty());
  EXPECT_EQ(seen(kP1).size(), 1u);
}

TEST_F(StoreTest, ScansAreOrderedAndBounded) {
  auto b = store_->new_batch();
  // Written out of order on purpose.
  for (int h : {5, 1, 3}) {
    for (const char* a : {"zed", "acme", "mid"}) {
      b->merge_bucket(kP0, a, hour(h), posts(Category::personal, static_cast<std::uint32_t>(h)));
      b->put_post_detail(kP0, a, hour(h), id("p", h), PostDetail{});
    }
  }
  for (std::uint64_t seq : {300u, 2u, 256u, 1u})
    b->put_outbox(kP0, seq, std::to_string(seq), kSinks);
  b->merge_bucket(kP1, "acme", hour(4), posts(Category::personal, 1));
  commit(*b);

  std::vector<std::pair<std::string, std::int64_t>> seen_rows;
  for (const auto& [a, t, c] : buckets(kP0)) seen_rows.emplace_back(a, (t - epoch_ms(kT0)) / kHour);
  EXPECT_EQ(seen_rows, (std::vector<std::pair<std::string, std::int64_t>>{{"acme", 1},
                                                                          {"acme", 3},
                                                                          {"acme", 5},
                                                                          {"mid", 1},
                                                                          {"mid", 3},
                                                                          {"mid", 5},
                                                                          {"zed", 1},
                                                                          {"zed", 3},
                                                                          {"zed", 5}}));
  seen_rows.clear();
  for (const auto& [a, t, c] : buckets(kP0, hour(3))) {
    seen_rows.emplace_back(a, (t - epoch_ms(kT0)) / kHour);
    EXPECT_EQ(c.posts[0], static_cast<std::uint32_t>((t - epoch_ms(kT0)) / kHour));
  }
  EXPECT_EQ(seen_rows,
            (std::vector<std::pair<std::string, std::int64_t>>{
                {"acme", 3}, {"acme", 5}, {"mid", 3}, {"mid", 5}, {"zed", 3}, {"zed", 5}}));
  EXPECT_TRUE(buckets(kP0, hour(6)).empty());

  auto d = details(kP0, "mid", hour(1) + Millis{1}, hour(5));  // [from, to)
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].first, "p3");
  EXPECT_EQ(details(kP0, "mid", hour(0), hour(9)).size(), 3u);
  EXPECT_TRUE(details(kP0, "mid", hour(5), hour(5)).empty());

  auto o = outbox(kP0);
  ASSERT_EQ(o.size(), 4u);
  EXPECT_EQ(o[0].first, 1u);
  EXPECT_EQ(o[1].first, 2u);
  EXPECT_EQ(o[2].first, 256u);
  EXPECT_EQ(o[3].first, 300u);
  EXPECT_EQ(o[3].second, "300");

  auto del = store_->new_batch();
  del->delete_outbox(kP0, 2);
  del->delete_outbox(kP0, 256);
  commit(*del);
  o = outbox(kP0);
  ASSERT_EQ(o.size(), 2u);
  EXPECT_EQ(o[1].first, 300u);
}

TEST_F(StoreTest, AccountsThatArePrefixesOfEachOtherDoNotMix) {
  const std::vector<std::string> accounts = {"a",
                                             "a\x01"
                                             "b",
                                             "ab",
                                             "a\0b"s,
                                             "a\0"s,
                                             ""};
  auto b = store_->new_batch();
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const auto n = static_cast<std::uint32_t>(i + 1);
    b->merge_bucket(kP0, accounts[i], hour(0), posts(Category::promotional, n));
    b->merge_bucket(kP0, accounts[i], hour(1), posts(Category::promotional, 10 * n));
    b->put_post_detail(kP0, accounts[i], hour(0), id("only-", i), PostDetail{});
    b->put_alert_state(kP0, accounts[i], id("rule-", i),
                       AlertState{AlertPhase::pending, hour(0), double(i), false, hour(0), {}});
  }
  commit(*b);

  std::vector<std::string> order;
  for (const auto& [a, t, c] : buckets(kP0)) {
    auto i =
        static_cast<std::size_t>(std::find(accounts.begin(), accounts.end(), a) - accounts.begin());
    ASSERT_LT(i, accounts.size()) << "unknown account in scan";
    const auto n = static_cast<std::uint32_t>(i + 1);
    EXPECT_EQ(c.posts[2], t == epoch_ms(hour(0)) ? n : 10 * n);
    if (order.empty() || order.back() != a) order.push_back(a);
  }
  auto sorted = accounts;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(order, sorted);  // each account once, in byte order

  for (std::size_t i = 0; i < accounts.size(); ++i) {
    auto d = details(kP0, accounts[i]);
    ASSERT_EQ(d.size(), 1u) << i;
    EXPECT_EQ(d[0].first, id("only-", i));
  }
  std::size_t alerts = 0;
  store_->scan_alert_states(kP0, [&](std::string_view a, std::string_view r, const AlertState& s) {
    auto i = static_cast<std::size_t>(s.last_value);
    ASSERT_LT(i, accounts.size());
    EXPECT_EQ(a, accounts[i]);
    EXPECT_EQ(r, id("rule-", i));
    ++alerts;
  });
  EXPECT_EQ(alerts, accounts.size());
}

TEST_F(StoreTest, MergesOfOneBatchInAnyOrderAddUpWhateverTheKeysShare) {
  // A commit sorts its operations on the keys' first bytes, then on the whole
  // keys: ids sharing a long prefix, ids shorter than that prefix, and merges
  // of one row scattered through the batch must all add up.
  std::vector<std::string> accounts = {"", "a", "ab", "a\0"s, "zz"};
  for (std::uint64_t n = 0; n < 40; ++n)
    accounts.push_back(id("brand-with-a-long-common-prefix-", n));
  for (std::uint64_t n = 0; n < 10; ++n) accounts.push_back(id("x", n));
  std::vector<std::size_t> calls;
  for (std::size_t i = 0; i < accounts.size(); ++i)
    for (std::size_t k = 0; k <= i % 4; ++k) calls.push_back(i);
  std::mt19937 rng(7);
  std::shuffle(calls.begin(), calls.end(), rng);
  auto b = store_->new_batch();
  for (auto i : calls) {
    b->merge_bucket(kP1, accounts[i], hour(2), posts(Category::professional, 1));
    b->merge_bucket(kP0, accounts[i], hour(1), posts(Category::personal, 1));
  }
  commit(*b);
  for (auto p : {kP0, kP1}) {
    std::map<std::string, std::uint64_t> got;
    for (const auto& [a, t, c] : buckets(p)) got[a] += c.total_posts();
    ASSERT_EQ(got.size(), accounts.size());
    for (std::size_t i = 0; i < accounts.size(); ++i) EXPECT_EQ(got[accounts[i]], i % 4 + 1) << i;
    EXPECT_EQ(count_raw_entries(*store_, "buckets", p).value(), accounts.size());
  }
}

TEST_F(StoreTest, SeenIdsComeBackPerPartitionFromTheBlocksRecentEnough) {
  auto b = store_->new_batch();
  const std::vector<SeenId> first{{hour(2) + Millis{10}, 11}, {hour(1), 12}};
  const std::vector<SeenId> second{{hour(3), 21}, {hour(4), 22}, {hour(3) + Millis{1}, 23}};
  b->put_seen_ids(kP0, Offset{5}, first);
  b->put_seen_ids(kP1, Offset{5}, first);
  commit(*b);
  b->put_seen_ids(kP0, Offset{9}, second);
  b->put_seen_ids(kP0, Offset{10}, {});  // an empty block is not stored
  commit(*b);
  EXPECT_EQ(count_raw_entries(*store_, "seen", kP0).value(), 2u);
  reopen();
  auto all = seen(kP0);
  std::vector<SeenId> expected = first;
  expected.insert(expected.end(), second.begin(), second.end());
  EXPECT_EQ(all, expected);  // blocks in time order, ids as stored
  // From hour 2: the first block is read (its newest id is recent enough) but
  // its older id is not returned.
  EXPECT_EQ(
      seen(kP0, hour(2)),
      (std::vector<SeenId>{
          {hour(2) + Millis{10}, 11}, {hour(3), 21}, {hour(4), 22}, {hour(3) + Millis{1}, 23}}));
  EXPECT_EQ(seen(kP0, hour(3) + Millis{1}),
            (std::vector<SeenId>{{hour(4), 22}, {hour(3) + Millis{1}, 23}}));
  EXPECT_EQ(seen(kP1), first);
}

TEST(StoreOpen, RejectsAnUnusablePath) {
  EXPECT_FALSE(open_rocks_store(RocksOptions{"", 1 << 20}).ok());
  EXPECT_FALSE(open_rocks_store(RocksOptions{"/proc/kilter-cannot-create", 1 << 20}).ok());
}

TEST_F(StoreTest, InstanceIdIsStableAcrossReopen) {
  const std::string first = store_->instance_id();
  EXPECT_EQ(first.size(), 32u);
  reopen();
  EXPECT_EQ(store_->instance_id(), first);
}

TEST_F(StoreTest, SourceIdsAreAllocatedOnceAndKept) {
  auto a = store_->source_id("social.events");
  auto b = store_->source_id("social.other");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, 1u);
  EXPECT_EQ(*b, 2u);
  EXPECT_EQ(*store_->source_id("social.events"), 1u);
  reopen();
  EXPECT_EQ(*store_->source_id("social.other"), 2u);
  EXPECT_EQ(*store_->source_id("third"), 3u);
}

}  // namespace
}  // namespace kilter::storage

// The changelog's transport over Kafka (kafka/changelog_log.h) on the in-process
// mock cluster: offsets in append order, large records, ranges, retention, an
// outage, and the topic check at start.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "kafka/changelog_log.h"
#include "kafka/mock_cluster.h"

namespace kilter::kafka {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

struct Read {
  std::int64_t offset;
  std::string key, value;
};

class ChangelogLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = start_mock_cluster(1);
    ASSERT_TRUE(c) << c.error().message;
    cluster_ = std::move(*c);
    ASSERT_TRUE(cluster_->create_topic("in", 6));
    ASSERT_TRUE(cluster_->create_topic("kilter.changelog", 3));
    kc_.brokers = cluster_->bootstraps();
    kc_.topics = {"in"};
    kc_.changelog_topic = "kilter.changelog";
    // A returning broker is found quickly.
    kc_.properties = {{"reconnect.backoff.max.ms", "200"}};
  }

  std::unique_ptr<changelog::ChangelogWriter> writer() {
    auto topic = open_changelog(kc_, milliseconds(5000));
    EXPECT_TRUE(topic) << topic.error().message;
    if (!topic) return nullptr;
    auto w = make_changelog_writer(kc_, topic->partitions, clock_);
    EXPECT_TRUE(w) << w.error().message;
    return w ? std::move(*w) : nullptr;
  }
  std::unique_ptr<changelog::ChangelogReader> reader() {
    auto r = make_changelog_reader(kc_, clock_);
    EXPECT_TRUE(r) << r.error().message;
    return r ? std::move(*r) : nullptr;
  }
  static std::vector<Read> read(changelog::ChangelogReader& r, std::int32_t p, std::int64_t from,
                                std::int64_t to, std::size_t stop_after = SIZE_MAX) {
    std::vector<Read> out;
    auto res = r.read(
        p, from, to,
        [&](const changelog::LogRecord& rec) {
          out.push_back({rec.offset, std::string(rec.key), std::string(rec.value)});
          return out.size() < stop_after;
        },
        milliseconds(10'000));
    EXPECT_TRUE(res) << res.error().message;
    return out;
  }

  SystemClock clock_;
  std::unique_ptr<MockCluster> cluster_;
  config::KafkaConfig kc_;
};

TEST_F(ChangelogLogTest, OffsetsComeBackInAppendOrderAcrossPartitions) {
  auto topic = open_changelog(kc_, milliseconds(5000));
  ASSERT_TRUE(topic) << topic.error().message;
  EXPECT_EQ(topic->partitions, 3);
  EXPECT_FALSE(topic->created);
  auto w = writer();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->partitions(), 3);
  // Nothing appended: nothing to wait for.
  auto none = w->flush(milliseconds(1000));
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty());

  for (int i = 0; i < 30; ++i)
    ASSERT_TRUE(w->append(i % 3, fmt::format("in:{}", i), fmt::format("value-{}", i)));
  auto offsets = w->flush(milliseconds(10'000));
  ASSERT_TRUE(offsets) << offsets.error().message;
  ASSERT_EQ(offsets->size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ((*offsets)[i], i / 3) << i;

  // The next flush covers only what came after the last one.
  ASSERT_TRUE(w->append(1, "in:30", "value-30"));
  auto more = w->flush(milliseconds(10'000));
  ASSERT_TRUE(more) << more.error().message;
  ASSERT_EQ(more->size(), 1u);
  EXPECT_EQ((*more)[0], 10);

  auto r = reader();
  ASSERT_TRUE(r);
  for (int p = 0; p < 3; ++p) {
    auto b = r->bounds(p, milliseconds(5000));
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->low, 0);
    EXPECT_EQ(b->high, p == 1 ? 11 : 10);
    auto got = read(*r, p, 0, b->high);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(b->high)) << p;
    for (std::size_t j = 0; j < got.size(); ++j) {
      int i = j == 10 ? 30 : static_cast<int>(j) * 3 + p;  // in:30 went to partition 1 alone
      EXPECT_EQ(got[j].offset, static_cast<std::int64_t>(j));
      EXPECT_EQ(got[j].key, fmt::format("in:{}", i));
      EXPECT_EQ(got[j].value, fmt::format("value-{}", i));
    }
  }
}

TEST_F(ChangelogLogTest, ARangeInTheMiddleAndAnEarlyStop) {
  auto w = writer();
  ASSERT_TRUE(w);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(w->append(2, "k", std::to_string(i)));
  ASSERT_TRUE(w->flush(milliseconds(10'000)));
  auto r = reader();
  ASSERT_TRUE(r);
  auto mid = read(*r, 2, 7, 12);
  ASSERT_EQ(mid.size(), 5u);
  for (std::size_t j = 0; j < mid.size(); ++j) {
    EXPECT_EQ(mid[j].offset, 7 + static_cast<std::int64_t>(j));
    EXPECT_EQ(mid[j].value, std::to_string(7 + j));
  }
  // The callback says stop: nothing more is handed over.
  EXPECT_EQ(read(*r, 2, 3, 20, 2).size(), 2u);
  // The same reader reads again, from elsewhere; an empty range is nothing.
  auto tail = read(*r, 2, 18, 20);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].offset, 18);
  EXPECT_TRUE(read(*r, 2, 5, 5).empty());
  // Beyond what is written: an error at once, not a wait.
  auto beyond = r->read(
      2, 10, 21, [](const changelog::LogRecord&) { return true; }, milliseconds(10'000));
  ASSERT_FALSE(beyond);
  EXPECT_EQ(beyond.error().code, Errc::failed);
}

TEST_F(ChangelogLogTest, A300KiBRecordGoesThroughAndAnOversizedOneIsRefused) {
  auto w = writer();
  ASSERT_TRUE(w);
  std::string big(300 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);
  ASSERT_TRUE(w->append(0, "in:0", big));
  auto offsets = w->flush(milliseconds(10'000));
  ASSERT_TRUE(offsets) << offsets.error().message;
  ASSERT_EQ(offsets->size(), 1u);
  auto r = reader();
  ASSERT_TRUE(r);
  auto got = read(*r, 0, (*offsets)[0], (*offsets)[0] + 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].value == big);

  auto too_big = w->append(0, "in:0", std::string(kChangelogMaxRecordBytes + 1, 'x'));
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, Errc::failed);
  auto no_partition = w->append(3, "in:0", "x");
  ASSERT_FALSE(no_partition);
  EXPECT_EQ(no_partition.error().code, Errc::failed);
}

TEST_F(ChangelogLogTest, AnOffsetRetentionRemovedIsAFailureThatSaysSo) {
  // The mock cluster keeps about 5 MiB per partition: 7 MiB push the oldest out.
  auto w = writer();
  ASSERT_TRUE(w);
  // Bytes that do not compress (the writer compresses, and the broker keeps
  // what it was sent).
  std::mt19937_64 rng(7);
  std::string chunk(256 * 1024, '\0');
  for (int i = 0; i < 28; ++i) {
    for (auto& c : chunk) c = static_cast<char>(rng());
    ASSERT_TRUE(w->append(1, "in:1", chunk));
    if (i % 4 == 3) {
      ASSERT_TRUE(w->flush(milliseconds(10'000)));
    }
  }
  auto r = reader();
  ASSERT_TRUE(r);
  auto b = r->bounds(1, milliseconds(5000));
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_GT(b->low, 0);
  EXPECT_EQ(b->high, 28);
  auto gone = r->read(
      1, b->low - 1, b->high, [](const changelog::LogRecord&) { return true; }, milliseconds(5000));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, Errc::failed);
  EXPECT_THAT(gone.error().message, HasSubstr("retention"));
  EXPECT_THAT(gone.error().message, HasSubstr("kilter.changelog"));
  // What is kept still reads.
  EXPECT_EQ(read(*r, 1, b->low, b->high).size(), static_cast<std::size_t>(b->high - b->low));
}

// A restore's read: nearly the 5 MiB the dev broker keeps of a partition, in records
// of 1 KiB (deltas) then of 64 KiB (snapshot chunks). The rate is printed (a figure
// for docs, not a bound: the machine is shared); every record must come back.
TEST_F(ChangelogLogTest, ReadsFiveMiBAndSaysHowFast) {
  for (std::size_t size : {std::size_t{1024}, std::size_t{64 * 1024}}) {
    kc_.changelog_topic = "kilter.changelog." + std::to_string(size);
    ASSERT_TRUE(cluster_->create_topic(kc_.changelog_topic, 1));
    auto w = writer();
    ASSERT_TRUE(w);
    auto count = static_cast<std::int64_t>((4 * 1024 * 1024 + 768 * 1024) / size);
    std::string value(size, 'v');
    for (std::int64_t i = 0; i < count; ++i) {
      ASSERT_TRUE(w->append(0, "in:0", value));
      if (i % 500 == 499) {
        ASSERT_TRUE(w->flush(milliseconds(10'000)));
      }
    }
    ASSERT_TRUE(w->flush(milliseconds(10'000)));
    auto r = reader();
    ASSERT_TRUE(r);
    auto b = r->bounds(0, milliseconds(5000));
    ASSERT_TRUE(b) << b.error().message;
    std::int64_t from = std::max(b->low, b->high - count), n = 0, bytes = 0, next = from;
    auto start = clock_.steady_now();
    auto res = r->read(
        0, from, b->high,
        [&](const changelog::LogRecord& rec) {
          EXPECT_EQ(rec.offset, next++);
          bytes += static_cast<std::int64_t>(rec.value.size() + rec.key.size());
          ++n;
          return true;
        },
        milliseconds(10'000));
    auto ms = std::chrono::duration<double, std::milli>(clock_.steady_now() - start).count();
    ASSERT_TRUE(res) << res.error().message;
    EXPECT_EQ(n, b->high - from);
    EXPECT_GE(n, count * 9 / 10);  // what the mock cluster kept
    std::cout << fmt::format(
        "changelog read: {} records of {} B, {:.2f} MiB in {:.1f} ms: {:.0f} records/s, "
        "{:.1f} MiB/s\n",
        n, size, static_cast<double>(bytes) / (1 << 20), ms, n / (ms / 1000),
        static_cast<double>(bytes) / (1 << 20) / (ms / 1000));
  }
}

TEST_F(ChangelogLogTest, ABrokerAwayMakesFlushUnavailableAndItWorksAgainAfter) {
  auto w = writer();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(0, "in:0", "before"));
  ASSERT_TRUE(w->flush(milliseconds(10'000)));

  ASSERT_TRUE(cluster_->set_down(MockCluster::kAllBrokers));
  ASSERT_TRUE(w->append(0, "in:0", "during-1"));
  ASSERT_TRUE(w->append(1, "in:1", "during-2"));
  auto away = w->flush(milliseconds(1500));
  ASSERT_FALSE(away);
  EXPECT_EQ(away.error().code, Errc::unavailable) << away.error().message;
  EXPECT_THAT(away.error().message, HasSubstr("not acknowledged"));

  ASSERT_TRUE(cluster_->set_up(MockCluster::kAllBrokers));
  ASSERT_TRUE(w->append(2, "in:2", "after"));
  auto back = w->flush(milliseconds(30'000));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->size(), 1u);
  auto r = reader();
  ASSERT_TRUE(r);
  auto got = read(*r, 2, (*back)[0], (*back)[0] + 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].value, "after");
}

TEST_F(ChangelogLogTest, AReadWithNoBrokerIsUnavailable) {
  auto w = writer();
  ASSERT_TRUE(w);
  ASSERT_TRUE(w->append(0, "in:0", "x"));
  ASSERT_TRUE(w->flush(milliseconds(10'000)));
  auto r = reader();
  ASSERT_TRUE(r);
  ASSERT_TRUE(cluster_->set_down(MockCluster::kAllBrokers));
  auto b = r->bounds(0, milliseconds(1000));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, Errc::unavailable) << b.error().message;
  ASSERT_TRUE(cluster_->set_up(MockCluster::kAllBrokers));
}

TEST_F(ChangelogLogTest, AMissingTopicIsAClearErrorThatSaysHowToCreateIt) {
  kc_.changelog_topic = "fraud.changelog";
  // The mock cluster cannot create topics: the admin call times out.
  auto topic = open_changelog(kc_, milliseconds(1500));
  ASSERT_FALSE(topic);
  EXPECT_EQ(topic.error().code, Errc::failed);
  EXPECT_THAT(topic.error().message, HasSubstr("fraud.changelog does not exist"));
  EXPECT_THAT(topic.error().message, HasSubstr("kilterd dev-broker --topic fraud.changelog:6"));

  // Created (as the dev broker's --topic does), it is found with its partitions.
  ASSERT_TRUE(cluster_->create_topic("fraud.changelog", 2));
  auto found = open_changelog(kc_, milliseconds(5000));
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(found->partitions, 2);
}

}  // namespace
}  // namespace kilter::kafka

// The in-memory changelog the protocol's tests run on: it must behave as the ports say.
#include "pipeline/changelog/memory_log.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kilter::changelog {
namespace {

std::vector<std::string> read_all(ChangelogReader& r, std::int32_t p, std::int64_t from,
                                  std::int64_t to) {
  std::vector<std::string> out;
  auto ok = r.read(
      p, from, to,
      [&](const LogRecord& rec) {
        out.push_back(std::to_string(rec.offset) + "=" + std::string(rec.key) + "/" +
                      std::string(rec.value));
        return true;
      },
      Millis(100));
  EXPECT_TRUE(ok.ok());
  return out;
}

TEST(MemoryLog, FlushGivesOffsetsInAppendOrderPerPartition) {
  MemoryLog log(2);
  auto w = log.writer();
  ASSERT_TRUE(w->append(0, "a", "1").ok());
  ASSERT_TRUE(w->append(1, "b", "2").ok());
  ASSERT_TRUE(w->append(0, "c", "3").ok());
  auto offsets = w->flush(Millis(100));
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(std::vector<std::int64_t>(offsets->begin(), offsets->end()),
            (std::vector<std::int64_t>{0, 0, 1}));
  auto r = log.reader();
  EXPECT_EQ(read_all(*r, 0, 0, 10), (std::vector<std::string>{"0=a/1", "1=c/3"}));
  EXPECT_EQ(read_all(*r, 1, 0, 10), (std::vector<std::string>{"0=b/2"}));
}

TEST(MemoryLog, AppendOutOfRangeIsAnErrorNotACrash) {
  MemoryLog log(1);
  auto w = log.writer();
  EXPECT_EQ(w->append(1, "k", "v").error().code, Errc::failed);
  EXPECT_EQ(w->append(-1, "k", "v").error().code, Errc::failed);
}

TEST(MemoryLog, AwayBrokerDropsTheQueuedRecordsAndSaysRetry) {
  MemoryLog log(1);
  auto w = log.writer();
  ASSERT_TRUE(w->append(0, "k", "lost").ok());
  log.set_away(true);
  auto f = w->flush(Millis(100));
  ASSERT_FALSE(f.ok());
  EXPECT_TRUE(f.error().retriable());
  auto r = log.reader();
  EXPECT_TRUE(r->bounds(0, Millis(100)).error().retriable());
  log.set_away(false);
  ASSERT_TRUE(w->append(0, "k", "kept").ok());
  ASSERT_TRUE(w->flush(Millis(100)).ok());
  EXPECT_EQ(read_all(*r, 0, 0, 10), (std::vector<std::string>{"0=k/kept"}));
}

TEST(MemoryLog, RetentionMovesTheLowBoundAndOlderReadsFail) {
  MemoryLog log(1);
  auto w = log.writer();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->append(0, "k", std::to_string(i)).ok());
  ASSERT_TRUE(w->flush(Millis(100)).ok());
  log.truncate(0, 3);
  auto r = log.reader();
  auto b = r->bounds(0, Millis(100));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->low, 3);
  EXPECT_EQ(b->high, 5);
  EXPECT_FALSE(r->read(
                    0, 2, 5, [](const LogRecord&) { return true; }, Millis(100))
                   .ok());
  EXPECT_EQ(read_all(*r, 0, 3, 5), (std::vector<std::string>{"3=k/3", "4=k/4"}));
}

TEST(MemoryLog, ReadStopsWhenTheCallbackSaysSo) {
  MemoryLog log(1);
  auto w = log.writer();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(w->append(0, "k", std::to_string(i)).ok());
  ASSERT_TRUE(w->flush(Millis(100)).ok());
  int seen = 0;
  ASSERT_TRUE(log.reader()
                  ->read(
                      0, 0, 5, [&](const LogRecord&) { return ++seen < 2; }, Millis(100))
                  .ok());
  EXPECT_EQ(seen, 2);
}

}  // namespace
}  // namespace kilter::changelog

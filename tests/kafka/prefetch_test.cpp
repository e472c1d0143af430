// The prefetch: messages copied out of librdkafka, handed to the loop in the
// order they came, their bytes in place until released, blocks reused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kafka/prefetch.h"

namespace kilter::kafka::detail {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::string payload_of(int i) {
  // Lengths from 0 to ~3 KiB, so messages straddle block ends.
  return std::string(static_cast<std::size_t>((i * 37) % 3000), static_cast<char>('a' + i % 26)) +
         std::to_string(i);
}

std::string key_of(int i) {
  return i % 5 == 0 ? std::string() : "acct-" + std::to_string(i);
}

void push(Prefetch& f, int i, int partitions = 3) {
  f.push(Partition{i % partitions}, i, 1'000 + i, key_of(i), payload_of(i));
}

TEST(Prefetch, HandsOutEveryMessageInOrderWithItsPaddingZeroed) {
  Prefetch f(64 * kMiB);
  for (int i = 0; i < 5'000; ++i) push(f, i);
  EXPECT_EQ(f.waiting(), 5'000u);
  int next = 0;
  while (f.waiting() > 0) {
    for (const auto& m : f.take(777)) {
      ASSERT_EQ(m.offset, next);
      EXPECT_EQ(m.partition, Partition{next % 3});
      EXPECT_EQ(m.appended_ms, 1'000 + next);
      EXPECT_EQ(m.key, key_of(next));
      EXPECT_EQ(m.payload, payload_of(next));
      ASSERT_EQ(m.capacity, m.payload.size() + Prefetch::kPadding);
      for (std::size_t b = m.payload.size(); b < m.capacity; ++b) ASSERT_EQ(m.payload.data()[b], 0);
      ++next;
    }
    f.release();
  }
  EXPECT_EQ(next, 5'000);
  EXPECT_EQ(f.held_bytes(), 0u);  // nothing left: every block back with the spares
}

TEST(Prefetch, WhatWasHandedOutStaysInPlaceUntilReleased) {
  Prefetch f(64 * kMiB);
  for (int i = 0; i < 100; ++i) push(f, i);
  const auto taken = f.take(50);
  std::vector<std::string> copies;
  for (const auto& m : taken) copies.emplace_back(m.payload);
  const std::vector<Prefetch::Message> kept(taken.begin(), taken.end());
  // Many more messages: new blocks, and a ring several times larger.
  for (int i = 100; i < 20'000; ++i) push(f, i);
  for (std::size_t j = 0; j < kept.size(); ++j) ASSERT_EQ(kept[j].payload, copies[j]);
  f.release();
  // The rest follows on from the 50 handed out.
  EXPECT_EQ(f.take(1).front().offset, 50);
}

TEST(Prefetch, ReusesItsBlocksOnceWarm) {
  Prefetch f(8 * kMiB);
  int i = 0;
  const auto round = [&] {
    for (int k = 0; k < 3'000; ++k) push(f, i++);
    while (f.waiting() > 0) {
      (void)f.take(1'000);
      f.release();
    }
  };
  for (int r = 0; r < 3; ++r) round();
  const auto warm = f.allocations();
  for (int r = 0; r < 50; ++r) round();
  EXPECT_EQ(f.allocations(), warm);
  EXPECT_LE(f.held_bytes(), Prefetch::kBlockBytes);
}

TEST(Prefetch, IsFullAtItsBoundAndHasRoomOnceTheLoopTookSome) {
  Prefetch f(4 * kMiB);
  int i = 0;
  while (!f.full()) f.push(Partition{0}, i++, 0, {}, std::string(1'000, 'x'));
  EXPECT_GE(f.held_bytes(), 4 * kMiB);
  EXPECT_LE(f.held_bytes(), 4 * kMiB + Prefetch::kBlockBytes);
  (void)f.take(static_cast<std::size_t>(i));
  f.release();
  EXPECT_FALSE(f.full());
  EXPECT_EQ(f.held_bytes(), 0u);
}

TEST(Prefetch, DropForgetsOnePartitionsWaitingMessagesOnly) {
  Prefetch f(64 * kMiB);
  for (int i = 0; i < 30; ++i) push(f, i);
  const auto taken = f.take(10);  // offsets 0-9, partitions 0, 1, 2
  const std::vector<Prefetch::Message> kept(taken.begin(), taken.end());
  f.drop(Partition{1});
  for (std::size_t j = 0; j < kept.size(); ++j) EXPECT_EQ(kept[j].payload, payload_of(int(j)));
  f.release();
  std::vector<std::int64_t> rest;
  for (const auto& m : f.take(100)) {
    EXPECT_NE(m.partition, Partition{1});
    rest.push_back(m.offset);
  }
  std::vector<std::int64_t> expected;
  for (int i = 10; i < 30; ++i)
    if (i % 3 != 1) expected.push_back(i);
  EXPECT_EQ(rest, expected);
}

TEST(Prefetch, ClearForgetsWhatWaitsButNotWhatWasHandedOut) {
  Prefetch f(64 * kMiB);
  for (int i = 0; i < 10; ++i) push(f, i);
  const auto taken = f.take(4);
  const std::vector<Prefetch::Message> kept(taken.begin(), taken.end());
  f.clear();
  EXPECT_EQ(f.waiting(), 0u);
  EXPECT_EQ(kept[3].payload, payload_of(3));
  f.release();
  EXPECT_TRUE(f.take(10).empty());
  EXPECT_EQ(f.held_bytes(), 0u);
  // And it goes on from there.
  push(f, 42);
  ASSERT_EQ(f.waiting(), 1u);
  EXPECT_EQ(f.take(1).front().payload, payload_of(42));
}

TEST(Prefetch, AMessageLargerThanABlockGetsOneOfItsOwn) {
  Prefetch f(2 * kMiB);
  const std::string big(3 * kMiB, 'b');
  push(f, 1);
  f.push(Partition{0}, 2, 0, "k", big);
  push(f, 3);
  EXPECT_TRUE(f.full());
  const auto taken = f.take(3);
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[1].payload, big);
  EXPECT_EQ(taken[1].key, "k");
  EXPECT_EQ(taken[2].payload, payload_of(3));
  f.release();
  EXPECT_EQ(f.held_bytes(), 0u);  // the large block is freed, not kept
}

}  // namespace
}  // namespace kilter::kafka::detail

#include "common/flat_map.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

#include "common/hash.h"

namespace kilter {
namespace {

TEST(Hash64, IsStableAcrossBuildsAndReleases) {
  // Persisted (seen-id blocks): these values must never change.
  EXPECT_EQ(hash64("ld-000000001"), 0xdc32bf21cd756725ull);
  EXPECT_EQ(hash64(""), 0xa8871e3718ca0053ull);
  const auto a = hash64("ld-000000001");
  EXPECT_EQ(a, hash64(std::string("ld-000000001")));
  EXPECT_NE(a, hash64("ld-000000002"));
  EXPECT_NE(hash64("a"), hash64(std::string_view("a\0", 2)));  // the length counts
  EXPECT_NE(hash64("abc", 1), hash64("abc", 2));               // and the seed
}

TEST(Hash64, SpreadsSimilarIds) {
  std::unordered_map<std::uint64_t, int> seen;
  for (int i = 0; i < 200'000; ++i) seen[hash64("acme-" + std::to_string(i) + "-p1")]++;
  EXPECT_EQ(seen.size(), 200'000u);
}

TEST(FlatMap64, BehavesLikeAMapUnderRandomInsertsAndErases) {
  FlatMap64<std::uint64_t> m;
  std::unordered_map<std::uint64_t, std::uint64_t> ref;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 100'000; ++i) {
    const std::uint64_t k = 2 + rng() % 5'000;  // 0 and 1 are one key (see below)
    if (rng() % 3 == 0) {
      EXPECT_EQ(m.erase(k), ref.erase(k) == 1) << k;
    } else {
      bool inserted = false;
      m.get_or_insert(k, inserted) += 1;
      EXPECT_EQ(inserted, !ref.contains(k));
      ref[k] += 1;
    }
  }
  EXPECT_EQ(m.size(), ref.size());
  for (const auto& [k, v] : ref) {
    ASSERT_NE(m.find(k), nullptr) << k;
    EXPECT_EQ(*m.find(k), v);
  }
  std::size_t visited = 0;
  m.for_each([&](std::uint64_t, std::uint64_t) { ++visited; });
  EXPECT_EQ(visited, ref.size());
}

TEST(FlatMap64, KeyZeroIsStoredAsOne) {
  // Keys are hashes: giving up one value of 2^64 keeps the table free of flags.
  FlatMap64<int> m;
  bool inserted = false;
  m.get_or_insert(0, inserted) = 5;
  EXPECT_TRUE(inserted);
  ASSERT_NE(m.find(1), nullptr);
  EXPECT_EQ(*m.find(1), 5);
}

TEST(FlatMap64, RetainKeepsWhatItIsToldAndShrinks) {
  FlatMap64<int> m;
  bool inserted = false;
  for (int i = 1; i <= 10'000; ++i) m.get_or_insert(static_cast<std::uint64_t>(i), inserted) = i;
  const auto big = m.bytes();
  m.retain([](std::uint64_t, int v) { return v % 100 == 0; });
  EXPECT_EQ(m.size(), 100u);
  EXPECT_LT(m.bytes(), big / 10);
  EXPECT_NE(m.find(500), nullptr);
  EXPECT_EQ(m.find(501), nullptr);
  m.clear();
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.find(500), nullptr);
}

}  // namespace
}  // namespace kilter

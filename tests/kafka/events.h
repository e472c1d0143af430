// Events for the Kafka tests, with the truth they add up to: posts with a
// trusted category (so no classifier judgement is involved), engagement on
// earlier posts of the same account, follower snapshots, and redelivered copies.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace kilter::testing {

struct KeyedEvent {
  std::string key;  // the account
  std::string json;
};

struct AccountTruth {
  std::array<std::uint64_t, 3> posts{};  // personal, professional, promotional
  // [category of the post][action], actions as in the SPEC order
  std::array<std::array<std::uint64_t, 6>, 3> engagement{};
  // Engagement whose post the counting daemon had not seen (another member saw it).
  std::array<std::uint64_t, 6> unattributed{};
};

struct Workload {
  std::vector<KeyedEvent> events;  // in production order, copies included
  std::map<std::string, AccountTruth> truth;
  std::size_t distinct = 0;  // events without the copies
};

inline const char* const kCategoryNames[] = {"personal", "professional", "promotional"};
inline const char* const kActionNames[] = {"reply", "repost", "quote",
                                           "like",  "click",  "impression"};

// `n` distinct events for `accounts` accounts, in time order over the day
// before `end_ms`, each redelivered once with probability `dup_rate`. `first_id`
// keeps the ids of several workloads apart.
inline Workload make_workload(std::size_t n, std::size_t accounts, double dup_rate,
                              std::uint64_t seed, std::int64_t end_ms, std::size_t first_id = 0) {
  Workload w;
  std::mt19937_64 rng(seed);
  std::map<std::string, std::vector<std::pair<std::string, int>>> posts;  // account -> (id, cat)
  const std::int64_t span = 86'400'000LL;
  for (std::size_t i = 0; i < n; ++i) {
    auto ts = end_ms - span + static_cast<std::int64_t>(i) * span / static_cast<std::int64_t>(n);
    // (string += number: GCC 12 warns falsely on "literal" + std::string.)
    std::string account = "acct-";
    account += std::to_string(rng() % accounts);
    std::string id = "e";
    id += std::to_string(first_id + i);
    auto& mine = posts[account];
    auto roll = rng() % 10;
    std::string json;
    if (roll < 4 || mine.empty()) {
      int cat = static_cast<int>(rng() % 3);
      std::string post_id = "p";
      post_id += std::to_string(first_id + i);
      json = R"({"type":"post","id":")" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"post_id":")" + post_id + R"(","text":"t","category":")" +
             kCategoryNames[cat] + "\"}";
      mine.emplace_back(post_id, cat);
      ++w.truth[account].posts[static_cast<std::size_t>(cat)];
    } else if (roll < 9) {
      const auto& [post_id, cat] = mine[rng() % mine.size()];
      auto action = rng() % 6;
      auto count = 1 + rng() % 4;
      json = R"({"type":"engagement","id":")" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"post_id":")" + post_id + R"(","action":")" +
             kActionNames[action] + R"(","count":)" + std::to_string(count) + "}";
      w.truth[account].engagement[static_cast<std::size_t>(cat)][action] += count;
    } else {
      json = R"({"type":"followers","id":")" + id + R"(","account":")" + account + R"(","ts":)" +
             std::to_string(ts) + R"(,"followers":)" + std::to_string(1000 + rng() % 100) + "}";
      w.truth[account];
    }
    w.events.push_back({account, json});
    ++w.distinct;
    if (std::uniform_real_distribution<double>(0, 1)(rng) < dup_rate)
      w.events.push_back({account, json});
  }
  return w;
}

inline void add_truth(std::map<std::string, AccountTruth>& into,
                      const std::map<std::string, AccountTruth>& from) {
  for (const auto& [account, t] : from) {
    auto& a = into[account];
    for (std::size_t c = 0; c < 3; ++c) {
      a.posts[c] += t.posts[c];
      for (std::size_t x = 0; x < 6; ++x) a.engagement[c][x] += t.engagement[c][x];
    }
    for (std::size_t x = 0; x < 6; ++x) a.unattributed[x] += t.unattributed[x];
  }
}

}  // namespace kilter::testing

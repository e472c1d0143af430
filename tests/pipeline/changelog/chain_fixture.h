// The protocol's test fixture over the in-memory log (chain_test.cpp explains it): a
// fake RestoreTarget whose "state" is the list of commit names applied, the group
// coordinator's view of one input partition, and one daemon's writing side.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/changelog/chain.h"
#include "pipeline/changelog/memory_log.h"
#include "pipeline/changelog/partition_chain.h"
#include "pipeline/changelog/restore.h"

namespace kilter::changelog::fixture {

inline constexpr Millis kWait{100};
inline const std::string kKey = record_key("events", 3);
inline constexpr std::int32_t kPart = 1;  // the changelog partition of input partition 3

inline std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto at = s.find(sep);
    out.emplace_back(s.substr(0, at));
    s = at == std::string_view::npos ? std::string_view{} : s.substr(at + 1);
  }
  return out;
}

// prefix + number (GCC 12's -Wrestrict misfires on `"x" + std::to_string(n)`).
inline std::string named(const char* prefix, int n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

inline std::string join(const std::vector<std::string>& v, char sep) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s.push_back(sep);
    s += x;
  }
  return s;
}

struct FakeTarget : RestoreTarget {
  std::vector<std::string> state;
  int resets = 0;
  std::optional<ChainHead> head;
  std::int64_t position = -1;
  Result<void> reset() override {
    state.clear();
    ++resets;
    return {};
  }
  Result<void> apply_snapshot_chunk(std::string_view body) override {
    for (auto& n : split(body, ',')) state.push_back(n);
    return {};
  }
  Result<void> apply_delta(std::string_view body) override {
    for (auto& n : split(body, '+')) state.push_back(n);
    return {};
  }
  Result<void> finish(const ChainHead& h, std::int64_t pos) override {
    head = h;
    position = pos;
    return {};
  }
};

// What the group coordinator holds for the input partition.
struct Group {
  std::int64_t committed = 0;
  std::string metadata;
};

inline WriterId writer(std::uint8_t b) {
  WriterId w;
  w.fill(b);
  return w;
}

// One daemon's view of the partition: its chain, its local state, its open batch.
struct Instance {
  Instance(MemoryLog& log, std::uint8_t id, std::uint64_t epoch, std::optional<ChainHead> head,
           std::int64_t position, std::vector<std::string> local, ChainPolicy policy = {})
      : w(log.writer()),
        chain(kKey, kPart, writer(id), epoch, head, position, policy),
        state(std::move(local)) {}

  void add(const std::string& name) {
    batch.push_back(name);
    ++events;
  }
  bool snapshot() {
    const std::size_t per = 2;
    std::size_t i = 0;
    do {
      std::vector<std::string> part(
          state.begin() + static_cast<std::ptrdiff_t>(i),
          state.begin() + static_cast<std::ptrdiff_t>(std::min(state.size(), i + per)));
      i += per;
      const bool last = i >= state.size();
      EXPECT_TRUE(w->append(kPart, kKey, chain.frame_snapshot_chunk(join(part, ','), last)).ok());
    } while (i < state.size());
    auto off = w->flush(kWait);
    if (!off.ok()) {
      chain.abandon();
      return false;
    }
    chain.sent(*off);
    return true;
  }
  // The commit protocol: a snapshot first when due, the delta sent, the group commit.
  // `local_write` false: a crash after the group commit, before the local write.
  bool commit(Group& g, bool group_accepts, bool local_write = true) {
    if (chain.snapshot_due() && !snapshot()) return false;
    const auto rec =
        chain.frame_delta(chain.position(), chain.position() + events, join(batch, '+'));
    EXPECT_TRUE(w->append(kPart, kKey, rec).ok());
    auto off = w->flush(kWait);
    if (!off.ok()) {
      chain.abandon();
      return false;
    }
    chain.sent(*off);
    if (!group_accepts) {
      chain.abandon();
      return false;
    }
    g.committed = chain.position() + events;
    g.metadata = format_commit_metadata(*chain.pending_head());
    chain.accepted();
    if (local_write) state.insert(state.end(), batch.begin(), batch.end());
    batch.clear();
    events = 0;
    return true;
  }

  std::unique_ptr<ChangelogWriter> w;
  PartitionChain chain;
  std::vector<std::string> state;
  std::vector<std::string> batch;
  std::int64_t events = 0;
};

inline Result<RestoreStats> restore(MemoryLog& log, const Group& g, FakeTarget& t,
                                    std::optional<ChainHead> local = std::nullopt,
                                    std::int64_t local_position = 0) {
  auto head = parse_commit_metadata(g.metadata);
  EXPECT_TRUE(head) << g.metadata;
  RestoreRequest req{kKey, *head, g.committed, local, local_position};
  auto reader = log.reader();
  return restore_partition(*reader, req, t, kWait);
}

}  // namespace kilter::changelog::fixture

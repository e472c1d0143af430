// The changelog protocol end to end over the in-memory log: writers commit (the delta
// sent, then the group commit accepted or refused), snapshot when due, crash, get fenced;
// a restore must give exactly the accepted commits, whatever else the log holds.
//
// The partition's "state" here is the list of commit names applied, in order. A delta's
// body is its batch (names joined by '+': a refused batch is kept and grows, as the
// engine's does); a snapshot chunk's body is part of the state (names joined by ',').
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "tests/pipeline/changelog/chain_fixture.h"

namespace kilter::changelog {
namespace {

using namespace fixture;  // NOLINT(google-build-using-namespace)

TEST(Chain, AFreshPartitionStartsWithASnapshotThenRestoresExactly) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  EXPECT_TRUE(a.chain.snapshot_due());
  for (int i = 1; i <= 5; ++i) {
    a.add(named("c", i));
    ASSERT_TRUE(a.commit(g, true));
  }
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->kind, RestoreStats::Kind::full);
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5"}));
  EXPECT_EQ(t.position, 5);
  EXPECT_EQ(t.resets, 1);
}

TEST(Chain, RecordsOfARefusedCommitAreOrphansAndTheGrownBatchReplacesThem) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  a.add("c2");
  ASSERT_FALSE(a.commit(g, false));  // sent, then the group refused (a rebalance)
  a.add("c3");
  ASSERT_TRUE(a.commit(g, true));
  FakeTarget t;
  ASSERT_TRUE(restore(log, g, t).ok());
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2", "c3"}));  // c2 once
  EXPECT_EQ(t.position, 3);
}

TEST(Chain, AFlushThatFailsLeavesNothingNamed) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  a.add("c2");
  log.set_away(true);
  ASSERT_FALSE(a.commit(g, true));
  log.set_away(false);
  FakeTarget t;
  ASSERT_TRUE(restore(log, g, t).ok());
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1"}));
  a.add("c3");
  ASSERT_TRUE(a.commit(g, true));
  ASSERT_TRUE(restore(log, g, t).ok());
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2", "c3"}));
}

TEST(Chain, AFencedWritersRecordsAreSkippedEvenWithTheSamePredecessor) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("a1");
  ASSERT_TRUE(a.commit(g, true));
  // b takes the partition over: restores, then continues from the group's head.
  FakeTarget tb;
  ASSERT_TRUE(restore(log, g, tb).ok());
  Instance b(log, 2, 9, parse_commit_metadata(g.metadata), g.committed, tb.state);
  // a was paused and resumes: it still thinks it owns the partition; its group commits
  // are refused (an unknown generation), its records interleave with b's.
  for (int i = 2; i <= 4; ++i) {
    a.add(named("zombie", i));
    EXPECT_FALSE(a.commit(g, false));
    b.add(named("b", i));
    ASSERT_TRUE(b.commit(g, true));
  }
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"a1", "b2", "b3", "b4"}));
  // From a's local state: its last accepted head (a1) is on b's chain, so only b's
  // records are applied.
  FakeTarget ta;
  ta.state = a.state;
  auto sa = restore(log, g, ta, a.chain.head(), a.chain.position());
  ASSERT_TRUE(sa.ok()) << sa.error().message;
  EXPECT_EQ(sa->kind, RestoreStats::Kind::partial);
  EXPECT_EQ(ta.state, (std::vector<std::string>{"a1", "b2", "b3", "b4"}));
}

TEST(Chain, ACrashBetweenTheGroupCommitAndTheLocalWriteRestoresOnlyTheTail) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  for (int i = 1; i <= 3; ++i) {
    a.add(named("c", i));
    ASSERT_TRUE(a.commit(g, true));
  }
  const auto local_head = a.chain.head();
  const auto local_position = a.chain.position();
  const auto local_state = a.state;
  a.add("c4");
  ASSERT_TRUE(a.commit(g, true, /*local_write=*/false));
  a.add("c5");
  ASSERT_TRUE(a.commit(g, true, /*local_write=*/false));
  FakeTarget t;
  t.state = local_state;
  auto s = restore(log, g, t, local_head, local_position);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->kind, RestoreStats::Kind::partial);
  EXPECT_EQ(s->records_applied, 2u);
  EXPECT_EQ(t.resets, 0);
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5"}));
  // A restart whose local state holds the named head restores nothing.
  FakeTarget same;
  auto none = restore(log, g, same, parse_commit_metadata(g.metadata), g.committed);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, RestoreStats::Kind::none);
  EXPECT_EQ(none->records_read, 0u);
}

TEST(Chain, ARestoreReadsFromTheLatestSnapshotOnly) {
  MemoryLog log(2);
  Group g;
  ChainPolicy small;
  small.snapshot_tail_bytes = 10;  // a snapshot every few commits
  Instance a(log, 1, 1, std::nullopt, 0, {}, small);
  std::vector<std::string> all;
  for (int i = 1; i <= 30; ++i) {
    a.add(named("commit", i));
    all.push_back(named("commit", i));
    ASSERT_TRUE(a.commit(g, true));
  }
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, all);
  const auto total = static_cast<std::uint64_t>(log.bounds(kPart).high);
  // (The snapshot grows with every commit here, and is rewritten once the deltas
  // after it hold as many bytes: less than half of what the log holds is read.)
  EXPECT_LT(s->records_read, total / 2) << "read " << s->records_read << " of " << total;
  // Retention may drop everything before the chain's snapshot.
  log.truncate(kPart, parse_commit_metadata(g.metadata)->base);
  FakeTarget t2;
  ASSERT_TRUE(restore(log, g, t2).ok());
  EXPECT_EQ(t2.state, all);
}

TEST(Chain, RetentionThatTookTheSnapshotIsAClearError) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  for (int i = 1; i <= 3; ++i) {
    a.add(named("c", i));
    ASSERT_TRUE(a.commit(g, true));
  }
  log.truncate(kPart, parse_commit_metadata(g.metadata)->base + 1);
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_FALSE(s.ok());
  EXPECT_FALSE(s.error().retriable());
  EXPECT_EQ(t.resets, 0);  // nothing touched
}

TEST(Chain, ABrokerAwayIsWorthRetrying) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  log.set_away(true);
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.error().retriable());
}

TEST(Chain, ACorruptRecordInTheChainFailsOneOutsideItIsIgnored) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  // Garbage under this partition's key, and another partition's records, in the range.
  auto w = log.writer();
  ASSERT_TRUE(w->append(kPart, kKey, "not a record").ok());
  ASSERT_TRUE(w->append(kPart, record_key("events", 5), "anything").ok());
  ASSERT_TRUE(w->flush(kWait).ok());
  a.add("c2");
  ASSERT_TRUE(a.commit(g, true));
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->corrupt, 1u);
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2"}));

  // Now the same with the chain's own last delta damaged: a record of the chain is
  // missing, which is an error, never a partial state.
  MemoryLog log2(2);
  Group g2;
  Instance b(log2, 1, 1, std::nullopt, 0, {});
  b.add("c1");
  ASSERT_TRUE(b.commit(g2, true));
  b.add("c2");
  ASSERT_TRUE(b.commit(g2, true));
  const auto head = *parse_commit_metadata(g2.metadata);
  // Rebuild log2 with the record before the head flipped (a chain link).
  MemoryLog log3(2);
  auto r2 = log2.reader();
  auto w3 = log3.writer();
  ASSERT_TRUE(r2->read(
                    kPart, 0, head.offset + 1,
                    [&](const LogRecord& rec) {
                      std::string v(rec.value);
                      if (rec.offset == head.offset - 1) v[v.size() / 2] ^= 1;
                      EXPECT_TRUE(w3->append(kPart, rec.key, v).ok());
                      return true;
                    },
                    kWait)
                  .ok());
  ASSERT_TRUE(w3->flush(kWait).ok());
  FakeTarget t3;
  auto s3 = restore(log3, g2, t3);
  ASSERT_FALSE(s3.ok());
  EXPECT_EQ(t3.resets, 0);
}

TEST(Chain, AnEmptyPartitionRestoresToEmpty) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  ASSERT_TRUE(a.commit(g, true));  // a commit with no events (positions only)
  FakeTarget t;
  t.state = {"stale"};
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(t.state.empty());
  EXPECT_EQ(t.position, 0);
}

TEST(Chain, RandomRefusalsFailuresCrashesAndZombiesRestoreTheAcceptedCommits) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    MemoryLog log(2);
    Group g;
    ChainPolicy policy;
    policy.snapshot_tail_bytes = 40 + seed * 5;
    auto owner = std::make_unique<Instance>(log, 1, seed, std::nullopt, 0,
                                            std::vector<std::string>{}, policy);
    std::unique_ptr<Instance> zombie;
    std::vector<std::string> accepted;  // the truth
    std::vector<std::string> open;      // in the owner's batch
    int name = 0;
    std::uint8_t next_writer = 2;
    for (int step = 0; step < 150; ++step) {
      const auto n = named("e", ++name);
      owner->add(n);
      open.push_back(n);
      if (zombie && u(rng) < 0.5) {
        zombie->add(named("z", name));
        EXPECT_FALSE(zombie->commit(g, false));
      }
      const double r = u(rng);
      if (r < 0.1) {
        log.set_away(true);
        EXPECT_FALSE(owner->commit(g, true));
        log.set_away(false);
      } else if (r < 0.25) {
        EXPECT_FALSE(owner->commit(g, false));
      } else if (owner->commit(g, true)) {
        accepted.insert(accepted.end(), open.begin(), open.end());
        open.clear();
      }
      if (u(rng) < 0.05 && !g.metadata.empty()) {
        // The partition moves: a new owner restores; the old one may go on as a zombie.
        FakeTarget t;
        auto s = restore(log, g, t);
        ASSERT_TRUE(s.ok()) << "seed " << seed << " step " << step << ": " << s.error().message;
        ASSERT_EQ(t.state, accepted) << "seed " << seed << " step " << step;
        if (zombie) {  // the previous owner's local state catches up too
          FakeTarget tz;
          tz.state = zombie->state;
          auto sz = restore(log, g, tz, zombie->chain.head(), zombie->chain.position());
          ASSERT_TRUE(sz.ok()) << "seed " << seed << " step " << step << ": " << sz.error().message;
          ASSERT_EQ(tz.state, accepted) << "seed " << seed << " step " << step;
        }
        zombie = std::move(owner);
        owner =
            std::make_unique<Instance>(log, next_writer++, seed, parse_commit_metadata(g.metadata),
                                       g.committed, t.state, policy);
        open.clear();  // the new owner reads the uncommitted events again, as new ones
      }
    }
    FakeTarget t;
    auto s = restore(log, g, t);
    ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.error().message;
    EXPECT_EQ(t.state, accepted) << "seed " << seed;
    EXPECT_EQ(t.position, g.committed);
  }
}

}  // namespace
}  // namespace kilter::changelog

namespace kilter::changelog {
namespace {

// Commits deltas of `bytes` body bytes each until a snapshot is due; how many.
int deltas_until_due(PartitionChain& c, std::size_t bytes, std::int64_t& offset) {
  const std::string body(bytes, 'd');
  for (int n = 1; n <= 100; ++n) {
    c.frame_delta(c.position(), c.position() + 1, body);
    const std::int64_t at[] = {offset++};
    c.sent(at);
    c.accepted();
    if (c.snapshot_due()) return n;
  }
  return -1;
}

TEST(Chain, SnapshotsAreRewrittenOnceTheTailHoldsTwiceAsMuchAsThemWithinTheRoom) {
  ChainPolicy policy;
  policy.snapshot_tail_bytes = 10;
  policy.max_snapshot_bytes = 100;
  policy.stagger = 0;  // the bounds exactly
  PartitionChain c(record_key("events", 3), 1, WriterId{1}, 1, std::nullopt, 0, policy);
  std::int64_t offset = 0;
  auto snapshot = [&](std::size_t bytes) {
    ASSERT_TRUE(c.snapshot_due());
    c.frame_snapshot_chunk(std::string(bytes, 's'), true);
    const std::int64_t at[] = {offset++};
    c.sent(at);
    ASSERT_FALSE(c.snapshot_due());
  };
  snapshot(5);  // smaller than the tail bound: the bound holds
  EXPECT_EQ(deltas_until_due(c, 2, offset), 5);
  snapshot(30);  // larger: twice as many delta bytes as the snapshot
  EXPECT_EQ(deltas_until_due(c, 2, offset), 30);
  snapshot(50);  // twice would pass the room (100 + 10): what is left of it
  EXPECT_EQ(deltas_until_due(c, 2, offset), 30);
  snapshot(95);  // near the room (100 + 10): the tail is what is left of it
  EXPECT_EQ(deltas_until_due(c, 2, offset), 8);
}

// Chains that fill at the same pace reach their snapshots in different
// commits: each one's bounds are lowered by its own share of the stagger, never
// raised, so none holds more than the policy allows.
TEST(Chain, StaggeredChainsSpreadTheirSnapshotsWithinTheBounds) {
  ChainPolicy policy;
  policy.snapshot_tail_bytes = 400;
  policy.snapshot_max_offsets = 1'000'000;
  std::set<int> due_after;
  for (int k = 0; k < 16; ++k) {
    PartitionChain c(record_key("events", k), 0, WriterId{1}, 1, std::nullopt, 0, policy);
    std::int64_t offset = 0;
    c.frame_snapshot_chunk("s", true);
    const std::int64_t at[] = {offset++};
    c.sent(at);
    ASSERT_FALSE(c.snapshot_due());
    const int n = deltas_until_due(c, 4, offset);  // 4 bytes a commit: due at n * 4
    EXPECT_LE(n * 4, 400) << k;
    EXPECT_GT(n * 4, 400 * (1 - policy.stagger) - 4) << k;
    due_after.insert(n);
  }
  EXPECT_GE(due_after.size(), 8u);  // spread, not all in one commit
}

}  // namespace
}  // namespace kilter::changelog

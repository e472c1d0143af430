// Edge cases of the changelog protocol found in review: a changelog whose partition count
// changed under a running chain, a writer that reuses an epoch after a crash, commit
// metadata that names a head past the changelog's end. Each test failed before its fix.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "pipeline/changelog/chain.h"
#include "pipeline/changelog/memory_log.h"
#include "pipeline/changelog/partition_chain.h"
#include "pipeline/changelog/restore.h"

namespace kilter::changelog {
namespace {

constexpr Millis kWait{100};
const std::string kKey = record_key("events", 6);

// The state is the list of delta bodies; a snapshot's chunk holds it joined by ','.
struct Target : RestoreTarget {
  std::vector<std::string> state;
  Result<void> reset() override {
    state.clear();
    return {};
  }
  Result<void> apply_snapshot_chunk(std::string_view body) override {
    while (!body.empty()) {
      const auto at = body.find(',');
      state.emplace_back(body.substr(0, at));
      body = at == std::string_view::npos ? std::string_view{} : body.substr(at + 1);
    }
    return {};
  }
  Result<void> apply_delta(std::string_view body) override {
    state.emplace_back(body);
    return {};
  }
  Result<void> finish(const ChainHead&, std::int64_t) override { return {}; }
};

WriterId writer(std::uint8_t b) {
  WriterId w;
  w.fill(b);
  return w;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

// Sends what `chain` framed (one record) and learns its offset.
void send(ChangelogWriter& w, PartitionChain& chain, std::string_view record) {
  ASSERT_TRUE(w.append(chain.changelog_partition(), chain.key(), record).ok());
  auto off = w.flush(kWait);
  ASSERT_TRUE(off.ok());
  chain.sent(*off);
}

void snapshot(ChangelogWriter& w, PartitionChain& chain, const std::vector<std::string>& state) {
  send(w, chain, chain.frame_snapshot_chunk(join(state), true));
}

// A commit the group accepts: returns the metadata it commits.
std::string commit(ChangelogWriter& w, PartitionChain& chain, const std::string& body,
                   std::int64_t events) {
  send(w, chain, chain.frame_delta(chain.position(), chain.position() + events, body));
  auto head = chain.pending_head();
  EXPECT_TRUE(head);
  chain.accepted();
  return format_commit_metadata(*head);
}

Result<RestoreStats> restore(MemoryLog& log, std::string_view metadata, std::int64_t committed,
                             Target& t, std::optional<ChainHead> local = std::nullopt,
                             std::int64_t local_position = 0) {
  auto head = parse_commit_metadata(metadata);
  EXPECT_TRUE(head) << metadata;
  RestoreRequest req{kKey, *head, committed, local, local_position};
  auto reader = log.reader();
  return restore_partition(*reader, req, t, kWait);
}

// Input partition 6 wrote to changelog partition 6 % 2 = 0; the topic then got 4
// partitions (an operator added some), so the partition's records go to 6 % 4 = 2 from
// now on. A delta there cannot link to a head in partition 0 (a restore reads one
// partition): the chain must start again with a snapshot in the new partition.
TEST(ChainEdge, AChangelogPartitionCountChangeStartsANewChainWithASnapshot) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain before(kKey, 6 % 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, before, {});
  std::string meta = commit(*w, before, "d1", 5);
  ASSERT_EQ(before.head()->partition, 0);

  PartitionChain after(kKey, 6 % 4, writer(1), 2, before.head(), before.position());
  EXPECT_TRUE(after.snapshot_due()) << "the head is in another changelog partition";
  if (after.snapshot_due()) snapshot(*w, after, {"d1"});
  meta = commit(*w, after, "d2", 3);
  EXPECT_EQ(parse_commit_metadata(meta)->partition, 2);
  Target t;
  auto s = restore(log, meta, 8, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"d1", "d2"}));
  // The local store of the old chain is not on the new one: a full restore.
  Target local;
  local.state = {"d1"};
  auto p = restore(log, meta, 8, local, before.head(), before.position());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->kind, RestoreStats::Kind::full);
  EXPECT_EQ(local.state, (std::vector<std::string>{"d1", "d2"}));
}

TEST(ChainEdgeDeathTest, ADeltaLinkedToAHeadInAnotherChangelogPartitionAborts) {
  PartitionChain before(kKey, 0, writer(1), 1, ChainHead{{writer(1), 1, 2}, 0, 7, 3}, 5);
  EXPECT_DEATH(
      {
        PartitionChain after(kKey, 2, writer(1), 2, before.head(), 5);
        (void)after.frame_delta(5, 6, "d");
      },
      "another changelog partition");
}

// The design asks for a new epoch each time a writer starts owning a partition; a
// writer that crashed before it stored its raised epoch reuses one, and with it the ids
// of records it sent before (orphans, or records of its older chain). A link then names
// an id that two records carry: the one meant is the latest before the linking record.
TEST(ChainEdge, AnEpochReusedAfterACrashStillResolvesTheNamedChain) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain first(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, first, {});                             // (w,1,1)
  std::string meta = commit(*w, first, "d1", 2);       // (w,1,2)
  send(*w, first, first.frame_delta(2, 4, "orphan"));  // (w,1,3), then the commit refused
  first.abandon();
  // The crash; the restart reuses epoch 1: its ids start again at 1.
  PartitionChain again(kKey, 2, writer(1), 1, first.head(), first.position());
  meta = commit(*w, again, "n1", 1);  // (w,1,1) again
  meta = commit(*w, again, "n2", 2);  // (w,1,2) again
  meta = commit(*w, again, "n3", 1);  // (w,1,3) again
  Target t;
  auto s = restore(log, meta, 6, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"d1", "n1", "n2", "n3"}));
}

// Commit metadata is text anyone in the group can write: a head past the end of the
// changelog partition (another topic's metadata, a topic recreated, or hostile text up
// to the largest offset) is a clear failure, and computes nothing out of range.
TEST(ChainEdge, AHeadPastTheChangelogsEndIsAClearFailure) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain chain(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, chain, {});
  (void)commit(*w, chain, "d1", 2);
  for (const std::int64_t offset :
       {std::int64_t{2}, std::int64_t{1000}, std::numeric_limits<std::int64_t>::max()}) {
    ChainHead h{{writer(1), 1, 2}, 2, offset, 0};
    Target t;
    auto s = restore(log, format_commit_metadata(h), 2, t);
    ASSERT_FALSE(s.ok()) << offset;
    EXPECT_EQ(s.error().code, Errc::failed);
    EXPECT_NE(s.error().message.find("past the end"), std::string::npos) << s.error().message;
  }
}

TEST(ChainEdge, RetentionThatTookTheBaseSaysSo) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain chain(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, chain, {});
  const auto meta = commit(*w, chain, "d1", 2);
  log.truncate(2, 1);
  Target t;
  auto s = restore(log, meta, 2, t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::failed);
  EXPECT_NE(s.error().message.find("retention"), std::string::npos) << s.error().message;
}

// A record of the chain that does not decode (bytes damaged on the way or on disk): the
// restore fails, and its error says that corrupt records were there, not only that a
// link is missing (the operator's first question).
TEST(ChainEdge, ARestoreThatFailsOnACorruptLinkSaysSo) {
  MemoryLog log(4), damaged(4);
  auto w = log.writer();
  PartitionChain chain(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, chain, {});
  (void)commit(*w, chain, "d1", 2);
  const auto meta = commit(*w, chain, "d2", 2);
  // The same records, the middle delta's last byte flipped (its checksum then fails).
  auto r = log.reader();
  auto wd = damaged.writer();
  ASSERT_TRUE(r->read(
                   2, 0, 3,
                   [&](const LogRecord& rec) {
                     std::string v(rec.value);
                     if (rec.offset == 1) v.back() = static_cast<char>(v.back() ^ 1);
                     EXPECT_TRUE(wd->append(2, rec.key, v).ok());
                     return true;
                   },
                   kWait)
                  .ok());
  ASSERT_TRUE(wd->flush(kWait).ok());
  Target t;
  auto s = restore(damaged, meta, 4, t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::failed);
  EXPECT_NE(s.error().message.find("1 record of the partition did not decode"), std::string::npos)
      << s.error().message;
}

// Metrics follow a restore as it goes (a long restore shows its rate while the partition
// warms), not only at its end; one RestoreProgress adds up every restore.
TEST(ChainEdge, ProgressCountersMoveDuringTheRestore) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain chain(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, chain, {});
  (void)commit(*w, chain, "d1", 2);
  const auto meta = commit(*w, chain, "d2", 2);
  struct Watching : Target {
    RestoreProgress* progress = nullptr;
    std::vector<std::uint64_t> applied_seen;
    Result<void> apply_delta(std::string_view body) override {
      applied_seen.push_back(progress->records_applied.load());
      return Target::apply_delta(body);
    }
  };
  RestoreProgress progress;
  Watching t;
  t.progress = &progress;
  auto head = parse_commit_metadata(meta);
  RestoreRequest req{kKey, *head, 4, std::nullopt, 0};
  auto reader = log.reader();
  auto s = restore_partition(*reader, req, t, kWait, &progress);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.applied_seen, (std::vector<std::uint64_t>{1, 2}));  // the snapshot, then d1
  EXPECT_EQ(progress.records_read.load(), s->records_read);
  EXPECT_EQ(progress.bytes_read.load(), s->bytes_read);
  EXPECT_EQ(progress.records_applied.load(), 3u);
  EXPECT_EQ(progress.bytes_applied.load(), s->bytes_applied);
  Watching again;
  again.progress = &progress;
  ASSERT_TRUE(restore_partition(*reader, req, again, kWait, &progress).ok());
  EXPECT_EQ(progress.records_applied.load(), 6u);
  EXPECT_EQ(progress.records_read.load(), 2 * s->records_read);
}

// A target may keep the bodies' views until finish() and write them in one batch (as
// storage's apply_deltas does), also when a partial read was tried first.
TEST(ChainEdge, BodiesStayValidUntilTheRestoreReturns) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain chain(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, chain, {"s1"});
  (void)commit(*w, chain, "d1", 2);
  const auto local = chain.head();
  const auto local_position = chain.position();
  std::string meta;
  for (const char* d : {"d2", "d3", "d4", "d5"}) meta = commit(*w, chain, d, 1);
  struct Batching : Target {
    std::vector<std::string_view> kept;
    Result<void> apply_snapshot_chunk(std::string_view body) override {
      kept.push_back(body);
      return {};
    }
    Result<void> apply_delta(std::string_view body) override {
      kept.push_back(body);
      return {};
    }
    Result<void> finish(const ChainHead&, std::int64_t) override {
      for (auto b : kept) state.emplace_back(b);
      return {};
    }
  };
  Batching full;
  ASSERT_TRUE(restore(log, meta, 6, full).ok());
  EXPECT_EQ(full.state, (std::vector<std::string>{"s1", "d1", "d2", "d3", "d4", "d5"}));
  Batching partial;
  auto s = restore(log, meta, 6, partial, local, local_position);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, RestoreStats::Kind::partial);
  EXPECT_EQ(partial.state, (std::vector<std::string>{"d2", "d3", "d4", "d5"}));
}

// The restarted writer's own orphans carry ids of its earlier run too: the link is told
// apart by the input offsets (the orphan ends elsewhere).
TEST(ChainEdge, AnEpochReusedAfterACrashWithOrphansOfTheSameIds) {
  MemoryLog log(4);
  auto w = log.writer();
  PartitionChain first(kKey, 2, writer(1), 1, std::nullopt, 0);
  snapshot(*w, first, {});           // (w,1,1)
  (void)commit(*w, first, "d1", 2);  // (w,1,2) [0, 2)
  PartitionChain again(kKey, 2, writer(1), 1, first.head(), first.position());
  send(*w, again, again.frame_delta(2, 3, "x1"));  // (w,1,1), refused
  again.abandon();
  send(*w, again, again.frame_delta(2, 4, "x2"));  // (w,1,2) [2, 4), refused
  again.abandon();
  const auto meta = commit(*w, again, "x3", 3);  // (w,1,3) [2, 5), after (w,1,2) = d1
  Target t;
  auto s = restore(log, meta, 5, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"d1", "x3"}));
}

// Random commits, refusals, a broker away, restarts that reuse the epoch half the time
// and sometimes find the changelog with another partition count, and new owners: a
// restore always gives the accepted batches.
TEST(ChainEdge, RandomRestartsReusingEpochsAndMovingPartitionsRestoreTheAcceptedBatches) {
  for (unsigned seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    MemoryLog log(4);
    auto w = log.writer();
    ChainPolicy policy;
    policy.snapshot_tail_bytes = 30 + seed;
    std::uint8_t id = 1;
    std::uint64_t epoch = 1;
    std::int32_t part = 2;
    auto chain =
        std::make_unique<PartitionChain>(kKey, part, writer(id), epoch, std::nullopt, 0, policy);
    std::vector<std::string> accepted, local, open;
    std::string meta;
    std::int64_t committed = 0;
    auto flush = [&]() -> bool {
      auto off = w->flush(kWait);
      if (!off.ok()) {
        chain->abandon();
        return false;
      }
      chain->sent(*off);
      return true;
    };
    int name = 0;
    for (int step = 0; step < 200; ++step) {
      std::string e("e");  // GCC 12's -Wrestrict misfires on "e" + std::to_string()
      e += std::to_string(++name);
      open.push_back(e);
      const bool away = u(rng) < 0.1;
      log.set_away(away);
      if (chain->snapshot_due()) {
        const bool last = true;
        ASSERT_TRUE(w->append(part, kKey, chain->frame_snapshot_chunk(join(local), last)).ok());
        if (!flush()) {
          log.set_away(false);
          continue;
        }
      }
      std::string body;
      for (const auto& e : open) body += (body.empty() ? "" : "+") + e;
      const auto from = chain->position();
      ASSERT_TRUE(
          w->append(part, kKey,
                    chain->frame_delta(from, from + static_cast<std::int64_t>(open.size()), body))
              .ok());
      const bool sent = flush();
      log.set_away(false);
      if (sent && u(rng) < 0.8) {
        meta = format_commit_metadata(*chain->pending_head());
        committed = from + static_cast<std::int64_t>(open.size());
        chain->accepted();
        accepted.push_back(body);
        local.push_back(body);
        open.clear();
      } else if (sent) {
        chain->abandon();  // refused: the batch is kept and grows
      }
      const double r = u(rng);
      if (r < 0.1) {  // a restart of the same store: the epoch reused half the time
        if (u(rng) < 0.5) ++epoch;
        if (u(rng) < 0.3) part = part == 2 ? 1 : 2;  // the topic's partition count changed
        chain = std::make_unique<PartitionChain>(kKey, part, writer(id), epoch, chain->head(),
                                                 chain->position(), policy);
      } else if (r < 0.15 && !meta.empty()) {  // a new owner restores and takes over
        Target t;
        auto s = restore(log, meta, committed, t);
        ASSERT_TRUE(s.ok()) << "seed " << seed << " step " << step << ": " << s.error().message;
        local = t.state;
        chain = std::make_unique<PartitionChain>(
            kKey, part, writer(++id), 1, parse_commit_metadata(meta).value(), committed, policy);
        epoch = 1;
        open.clear();  // the new owner reads the uncommitted events again
      }
    }
    ASSERT_FALSE(meta.empty());
    Target t;
    auto s = restore(log, meta, committed, t);
    ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.error().message;
    // Snapshot chunks hold the batches joined by ','; deltas hold them whole.
    EXPECT_EQ(join(t.state), join(accepted)) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kilter::changelog

// The chain stays exact when a writer reuses ids (restarted without raising its epoch),
// orphan snapshots and old local heads, the snapshot size bound, the group's metadata.
#include <gtest/gtest.h>

#include "tests/pipeline/changelog/chain_fixture.h"

namespace kilter::changelog {
namespace {

using namespace fixture;  // NOLINT(google-build-using-namespace)

// Records framed by hand: an id stored twice with different contents (an orphan, then the
// accepted record, by a writer that restarted at the same epoch). The link goes to the
// nearest record before, the one the writer had just sent, never to the orphan.
TEST(ChainFaults, AnIdStoredTwiceLinksToTheNearestRecordBefore) {
  MemoryLog log(2);
  auto w = log.writer();
  const RecordId s{writer(1), 1, 1}, c1{writer(1), 1, 2}, x{writer(1), 1, 3}, y{writer(1), 1, 4};
  std::string out;
  auto put = [&](RecordKind kind, RecordId id, RecordId prev, std::int64_t from, std::int64_t to,
                 std::string_view body) {
    RecordHeader h;
    h.kind = kind;
    h.last_chunk = kind == RecordKind::snapshot;
    h.id = id;
    h.prev = prev;
    h.base = kind == RecordKind::snapshot ? -1 : 0;
    h.from = from;
    h.to = to;
    encode_record(h, body, out);
    ASSERT_TRUE(w->append(kPart, kKey, out).ok());
  };
  put(RecordKind::snapshot, s, {}, 0, 0, "");
  put(RecordKind::delta, c1, s, 0, 1, "c1");
  put(RecordKind::delta, x, c1, 1, 2, "orphan");  // sent, then the commit refused
  put(RecordKind::delta, x, c1, 1, 2, "x");       // the same id again, accepted
  put(RecordKind::delta, y, x, 2, 3, "y");
  ASSERT_TRUE(w->flush(kWait).ok());
  Group g;
  g.committed = 3;
  g.metadata = format_commit_metadata(ChainHead{y, kPart, 4, 0});
  FakeTarget t;
  auto r = restore(log, g, t);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "x", "y"}));
}

// A writer given a head it wrote itself at the same epoch (the epoch was not raised, or
// not durably): its ids must not repeat that chain's.
TEST(ChainFaults, AWriterNeverReusesTheIdsOfItsOwnHeadsEpoch) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 7, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  const auto head = *a.chain.head();
  PartitionChain again(kKey, kPart, writer(1), 7, head, a.chain.position());
  auto v = decode_record(again.frame_delta(a.chain.position(), a.chain.position() + 1, "c2"));
  ASSERT_TRUE(v.ok());
  EXPECT_GT(v->header.id.epoch, head.id.epoch);
  EXPECT_EQ(v->header.prev, head.id);
}

TEST(ChainFaults, AnOrphanSnapshotInTheRangeIsSkipped) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  // a sends a snapshot, then crashes before any commit names it.
  ASSERT_TRUE(a.snapshot());
  // b takes over from the group's head (whose base is the first snapshot).
  FakeTarget tb;
  ASSERT_TRUE(restore(log, g, tb).ok());
  Instance b(log, 2, 1, parse_commit_metadata(g.metadata), g.committed, tb.state);
  b.add("c2");
  ASSERT_TRUE(b.commit(g, true));
  EXPECT_EQ(parse_commit_metadata(g.metadata)->base, 0);  // two snapshots in [base, head]
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2"}));
}

TEST(ChainFaults, ALocalHeadOlderThanTheBaseRestoresInFull) {
  MemoryLog log(2);
  Group g;
  ChainPolicy small;
  small.snapshot_tail_bytes = 4;
  Instance a(log, 1, 1, std::nullopt, 0, {}, small);
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  const auto old_head = a.chain.head();
  const auto old_position = a.chain.position();
  for (int i = 2; i <= 6; ++i) {
    a.add(named("c", i));
    ASSERT_TRUE(a.commit(g, true));
  }
  ASSERT_GT(parse_commit_metadata(g.metadata)->base, old_head->offset);
  FakeTarget t;
  t.state = {"c1"};
  auto s = restore(log, g, t, old_head, old_position);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->kind, RestoreStats::Kind::full);
  EXPECT_EQ(t.resets, 1);
  EXPECT_EQ(t.state, (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5", "c6"}));
}

// The dev broker keeps about 5 MiB per changelog partition: a snapshot that would not
// fit with its tail is refused when it is about to be written (an error value naming the
// partition and the sizes), not sent and lost to retention.
TEST(ChainFaults, ASnapshotLargerThanTheBoundIsRefusedBeforeItIsWritten) {
  ChainPolicy policy;
  policy.max_snapshot_bytes = 1000;
  PartitionChain c(kKey, kPart, writer(1), 1, std::nullopt, 0, policy);
  EXPECT_TRUE(c.check_snapshot_size(1000).ok());
  auto big = c.check_snapshot_size(1001);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, Errc::failed);
  EXPECT_NE(big.error().message.find(kKey), std::string::npos) << big.error().message;
  EXPECT_NE(big.error().message.find("1001"), std::string::npos) << big.error().message;
  EXPECT_EQ(ChainPolicy{}.max_snapshot_bytes, std::size_t{4} << 20);
}

// A committed offset that moved without a record (a caller that committed a partition
// whose batch changed nothing and framed no delta) is refused: the chain must end
// exactly there, or the restored state would claim input it never saw.
TEST(ChainFaults, ACommittedOffsetPastTheChainsEndIsRefused) {
  MemoryLog log(2);
  Group g;
  Instance a(log, 1, 1, std::nullopt, 0, {});
  a.add("c1");
  ASSERT_TRUE(a.commit(g, true));
  g.committed += 5;
  FakeTarget t;
  auto s = restore(log, g, t);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::failed);
  EXPECT_NE(s.error().message.find("committed 6"), std::string::npos) << s.error().message;
  EXPECT_EQ(t.resets, 0);
}

// What a restore is given from the group: no chain, a head, or (kilter1 but malformed)
// an error to report, never mistaken for "no chain" (a silent fresh start).
TEST(ChainFaults, TheGroupsMetadataIsNoChainAHeadOrCorruption) {
  auto none = read_commit_metadata("");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto other = read_commit_metadata("kilter:abc");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  ChainHead h{RecordId{writer(3), 2, 9}, 1, 40, 12};
  auto head = read_commit_metadata(format_commit_metadata(h));
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(**head, h);
  auto bad = read_commit_metadata("kilter1:zz");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Errc::corruption);
  EXPECT_NE(bad.error().message.find("kilter1:zz"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace kilter::changelog

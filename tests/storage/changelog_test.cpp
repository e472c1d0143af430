// The store's portable state (issue 13): a commit's per-partition deltas,
// applying them to another store under another partition number, snapshots of
// a partition (export, import, an import interrupted).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/portable.h"
#include "storage/rocks_store.h"
#include "tests/storage/portable_store_test.h"

namespace kilter::storage {
namespace {

using testing::CommitStream;
using testing::dump;
using testing::TempStore;

const Partition kA{3};
const Partition kOther{5};
const Partition kB{77};

struct Captured {
  std::vector<std::string> bodies;  // kA's, one per commit that wrote it
  std::size_t other = 0;            // bodies of other partitions seen
};

// Runs `commits` random commits on store a (kA and kOther in every batch),
// capturing kA's delta body of each.
void run(StateStore& a, CommitStream& gen, int commits, Captured& out) {
  auto b = a.new_batch();
  for (int i = 0; i < commits; ++i) {
    gen.stage(a, *b, kA);
    gen.stage(a, *b, kOther);
    int seen = 0;
    auto r = a.partition_deltas(*b, [&](Partition p, std::string_view body) {
      ++seen;
      if (p == kA)
        out.bodies.emplace_back(body);
      else
        ++out.other;
    });
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_GE(seen, 2);
    ASSERT_TRUE(a.commit(*b, false).ok());
  }
}

Result<void> apply_all(StateStore& s, Partition p, const std::vector<std::string>& bodies,
                       std::size_t from = 0) {
  std::vector<std::string_view> views(bodies.begin() + static_cast<std::ptrdiff_t>(from),
                                      bodies.end());
  return s.apply_deltas(p, views, std::nullopt, false);
}

std::vector<std::string> export_chunks(StateStore& s, Partition p, std::size_t max,
                                       const Snapshot* at = nullptr) {
  std::vector<std::string> chunks;
  auto r = s.export_partition(
      p, max,
      [&](std::string_view c) -> Result<void> {
        chunks.emplace_back(c);
        return ok();
      },
      at);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return chunks;
}

Result<PortableStats> import_chunks(StateStore& s, Partition p,
                                    const std::vector<std::string>& chunks,
                                    const std::optional<ChainHead>& head = std::nullopt) {
  auto im = s.begin_import(p);
  if (!im) return im.error();
  for (const auto& c : chunks)
    if (auto r = (*im)->add(c); !r) return r.error();
  return (*im)->finish(head);
}

TEST(Changelog, DeltasAppliedInOrderGiveTheSameStateUnderAnotherPartition) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    TempStore a, b;
    CommitStream gen(seed);
    Captured cap;
    run(*a, gen, 200, cap);
    ASSERT_EQ(cap.bodies.size(), 200u);
    ASSERT_EQ(cap.other, 200u);
    ASSERT_TRUE(apply_all(*b, kB, cap.bodies).ok());
    const auto want = dump(*a, kA);
    EXPECT_TRUE(testing::same_dump(dump(*b, kB), want)) << "seed " << seed;
    EXPECT_EQ(b->meta(kB), a->meta(kA));
    // Nothing of kOther leaked into kA's bodies, and both survive a reopen.
    EXPECT_TRUE(b->partitions() == std::vector<Partition>{kB});
    b.reopen();
    EXPECT_TRUE(testing::same_dump(dump(*b, kB), want));
    // Compaction (the retention filter reclaiming rows) changes nothing seen.
    ASSERT_TRUE(compact_all(*a).ok());
    EXPECT_TRUE(testing::same_dump(dump(*a, kA), want));
  }
}

TEST(Changelog, SnapshotMidwayPlusLaterDeltasGiveTheSameState) {
  TempStore a, b;
  CommitStream gen(7);
  Captured cap;
  run(*a, gen, 120, cap);
  // Snapshot as of commit 120, in small chunks so that there are many.
  const auto chunks = export_chunks(*a, kA, 4096);
  ASSERT_GT(chunks.size(), 3u);
  const std::size_t midway = cap.bodies.size();
  run(*a, gen, 150, cap);
  // b had some other state in kB before: the import replaces it.
  {
    TempStore c;
    CommitStream other(99);
    Captured junk;
    run(*c, other, 30, junk);
    ASSERT_TRUE(apply_all(*b, kB, junk.bodies).ok());
  }
  auto stats = import_chunks(*b, kB, chunks);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->chunks, chunks.size());
  ASSERT_TRUE(apply_all(*b, kB, cap.bodies, midway).ok());
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), dump(*a, kA)));
  b.reopen();
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), dump(*a, kA)));
}

TEST(Changelog, ChunksRespectTheirBoundAndKeepTheMetaLast) {
  TempStore a;
  CommitStream gen(11);
  Captured cap;
  run(*a, gen, 60, cap);
  const auto chunks = export_chunks(*a, kA, 2048);
  ASSERT_GT(chunks.size(), 1u);
  portable::BodyReader reader;
  std::size_t metas = 0;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    EXPECT_LE(chunks[i].size(), 2048u);
    ASSERT_TRUE(reader.check(chunks[i], portable::kChunkV1).ok());
    for (std::size_t j = 0; j < reader.ops().size(); ++j) {
      if (reader.ops()[j].family != portable::Family::meta) continue;
      ++metas;
      EXPECT_EQ(i, chunks.size() - 1);
      EXPECT_EQ(j, reader.ops().size() - 1);
    }
  }
  EXPECT_EQ(metas, 1u);
  // An empty partition is one empty chunk.
  EXPECT_EQ(export_chunks(*a, Partition{42}, 2048).size(), 1u);
}

TEST(Changelog, ExportIsAsOfItsSnapshot) {
  TempStore a, b;
  CommitStream gen(5);
  Captured cap;
  run(*a, gen, 20, cap);
  const auto before = dump(*a, kA);
  auto snap = a->snapshot();
  // (Cutoffs moved after a snapshot are exported with it: none here.)
  gen.expire = false;
  run(*a, gen, 20, cap);
  ASSERT_TRUE(import_chunks(*b, kB, export_chunks(*a, kA, 1 << 20, snap.get())).ok());
  snap.reset();
  // The raw part of the dump (the export) is as of the snapshot.
  const auto raw = [](const std::string& d) { return d.substr(0, d.find("|buckets:")); };
  EXPECT_TRUE(testing::same_dump(raw(dump(*b, kB)), raw(before)));
}

TEST(Changelog, AnInterruptedImportIsDetectableAndTheNextOneReplacesIt) {
  TempStore a, b;
  CommitStream gen(13);
  Captured cap;
  run(*a, gen, 80, cap);
  const auto chunks = export_chunks(*a, kA, 2048);
  ASSERT_GT(chunks.size(), 4u);
  {
    // An import dropped before finish() writes nothing.
    auto im = b->begin_import(Partition{8});
    ASSERT_TRUE(im.ok());
    for (const auto& c : chunks) ASSERT_TRUE((*im)->add(c).ok());
  }
  EXPECT_EQ(*count_raw_entries(*b, "buckets", Partition{8}), 0u);
  {
    // Rows ingested, the meta not written: what a crash before the meta leaves
    // (the meta comes in the last chunk).
    auto im = b->begin_import(kB);
    ASSERT_TRUE(im.ok());
    for (std::size_t i = 0; i + 1 < chunks.size(); ++i) ASSERT_TRUE((*im)->add(chunks[i]).ok());
    ASSERT_TRUE((*im)->finish(std::nullopt).ok());
  }
  EXPECT_FALSE(b->meta(kB).has_value());
  EXPECT_TRUE(b->partitions().empty());
  auto raw = count_raw_entries(*b, "buckets", kB);
  ASSERT_TRUE(raw.ok());
  EXPECT_GT(*raw, 0u);  // rows without a meta: an unfinished import
  b.reopen();
  EXPECT_FALSE(b->meta(kB).has_value());
  ASSERT_TRUE(import_chunks(*b, kB, chunks).ok());
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), dump(*a, kA)));
  // Chunks out of order (keys not ascending): refused, the import stops.
  auto im = b->begin_import(kB);
  ASSERT_TRUE(im.ok());
  ASSERT_TRUE((*im)->add(chunks[1]).ok());
  auto r = (*im)->add(chunks[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::corruption);
  EXPECT_FALSE((*im)->finish(std::nullopt).ok());
}

TEST(Changelog, ImportAndApplySetTheChainHeadAndKeepTheEpochCounter) {
  TempStore a, b;
  CommitStream gen(17);
  Captured cap;
  run(*a, gen, 10, cap);
  // b's own epoch counter for kB is 9: an import never lowers it.
  {
    auto batch = b->new_batch();
    PartitionMeta m;
    m.epoch = 9;
    batch->put_meta(kB, m);
    ASSERT_TRUE(b->commit(*batch, false).ok());
  }
  ChainHead head;
  head.id.writer[0] = 0xAB;
  head.id.epoch = 4;
  head.id.seq = 12;
  head.offset = 812;
  head.base = 700;
  ASSERT_TRUE(import_chunks(*b, kB, export_chunks(*a, kA, 1 << 20), head).ok());
  auto m = b->meta(kB);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->chain, head);
  EXPECT_EQ(m->epoch, 9u);
  EXPECT_EQ(m->position, a->meta(kA)->position);

  run(*a, gen, 3, cap);
  head.id.seq = 15;
  head.offset = 900;
  std::vector<std::string_view> last(cap.bodies.end() - 3, cap.bodies.end());
  ASSERT_TRUE(b->apply_deltas(kB, last, head, true).ok());
  m = b->meta(kB);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->chain, head);
  EXPECT_EQ(m->epoch, 9u);
  EXPECT_EQ(m->position, a->meta(kA)->position);
}

TEST(Changelog, CutoffsMovedAfterAnExportWaitForTheNextBatch) {
  // The cutoffs a batch's deltas carry are exactly the ones its commit writes:
  // a cutoff moved between the export and the commit goes with the next batch
  // (and its deltas), or a replica would miss it.
  TempStore a, b;
  CommitStream gen(19);
  Captured cap;
  run(*a, gen, 5, cap);
  auto batch = a->new_batch();
  gen.stage(*a, *batch, kA);
  std::vector<std::string> bodies;
  auto grab = [&](Partition p, std::string_view body) {
    if (p == kA) bodies.emplace_back(body);
  };
  ASSERT_TRUE(a->partition_deltas(*batch, grab).ok());
  ASSERT_TRUE(a->expire(kA, testing::kStart + Millis{testing::kHourMs * 500},
                        testing::kStart + Millis{testing::kHourMs * 500})
                  .ok());
  ASSERT_TRUE(a->commit(*batch, false).ok());
  ASSERT_TRUE(a->partition_deltas(*batch, grab).ok());  // the cutoffs alone
  ASSERT_TRUE(a->commit(*batch, false).ok());
  ASSERT_EQ(bodies.size(), 2u);
  cap.bodies.insert(cap.bodies.end(), bodies.begin(), bodies.end());
  ASSERT_TRUE(apply_all(*b, kB, cap.bodies).ok());
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), dump(*a, kA)));
  // The second body is the cutoffs alone.
  portable::BodyReader reader;
  ASSERT_TRUE(reader.check(bodies[1], portable::kDeltaV1).ok());
  ASSERT_EQ(reader.ops().size(), 1u);
  EXPECT_EQ(reader.ops()[0].family, portable::Family::retention);
}

TEST(Changelog, ExportingABatchTwiceGivesTheSameBodies) {
  // Bodies are rebuilt in the batch's reused buffers: the same bytes each time,
  // smaller than the batch itself (no partition prefixes).
  TempStore a;
  CommitStream gen(23);
  auto batch = a->new_batch();
  gen.stage(*a, *batch, kA);
  std::string first, second;
  ASSERT_TRUE(a->partition_deltas(*batch, [&](Partition, std::string_view b) { first = b; }).ok());
  ASSERT_TRUE(a->partition_deltas(*batch, [&](Partition, std::string_view b) { second = b; }).ok());
  EXPECT_EQ(first, second);
  EXPECT_LT(first.size(), batch->approximate_bytes());
}

TEST(Changelog, ALargeBodyIsBuiltAgainTheSameAfterItsBufferWasFreed) {
  // A body over 64 KiB does not keep its buffer after the export (peak RSS):
  // the next export of the batch, or of the reused batch, builds it again.
  TempStore a, b;
  CommitStream gen(29);
  auto batch = a->new_batch();
  std::vector<std::string> bodies;
  for (int commit = 0; commit < 3; ++commit) {
    for (int i = 0; i < 300; ++i) gen.stage(*a, *batch, kA);
    std::string first, second;
    ASSERT_TRUE(
        a->partition_deltas(*batch, [&](Partition, std::string_view body) { first = body; }).ok());
    ASSERT_GT(first.size(), std::size_t{64} << 10);
    ASSERT_TRUE(
        a->partition_deltas(*batch, [&](Partition, std::string_view body) { second = body; }).ok());
    EXPECT_EQ(first, second);
    bodies.push_back(first);
    ASSERT_TRUE(a->commit(*batch, false).ok());
  }
  ASSERT_TRUE(apply_all(*b, kB, bodies).ok());
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), dump(*a, kA)));
}

}  // namespace
}  // namespace kilter::storage

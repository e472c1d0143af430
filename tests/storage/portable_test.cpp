// Portable bodies and the meta's chain head: the byte formats, and hostile
// bytes (truncated at every byte, flipped bytes): an error, never a crash, and
// nothing written.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/codec.h"
#include "storage/portable.h"
#include "tests/storage/portable_store_test.h"

namespace kilter::storage {
namespace {

using testing::CommitStream;
using testing::dump;
using testing::TempStore;

const Partition kA{3};
const Partition kB{9};

// A few real delta bodies of kA and the chunks of its snapshot.
struct Bodies {
  std::vector<std::string> deltas;
  std::vector<std::string> chunks;
};

Bodies real_bodies(StateStore& a, int commits, std::size_t chunk_bytes) {
  Bodies out;
  CommitStream gen(31, 6);
  auto b = a.new_batch();
  for (int i = 0; i < commits; ++i) {
    gen.stage(a, *b, kA);
    EXPECT_TRUE(a.partition_deltas(*b, [&](Partition, std::string_view body) {
                   out.deltas.emplace_back(body);
                 }).ok());
    EXPECT_TRUE(a.commit(*b, false).ok());
  }
  EXPECT_TRUE(a.export_partition(kA, chunk_bytes, [&](std::string_view c) -> Result<void> {
                 out.chunks.emplace_back(c);
                 return ok();
               }).ok());
  return out;
}

// Reads everything of p the engine reads (each read decodes its values: a
// value the store cannot decode aborts).
void read_all(StateStore& s, Partition p) {
  (void)s.meta(p);
  s.scan_buckets(p, TimePoint::min(), [](std::string_view, TimePoint, const BucketCounts&) {});
  s.scan_seen_ids(p, TimePoint::min(), [](const SeenId&) {});
  s.scan_alert_states(p, [](std::string_view, std::string_view, const AlertState&) {});
  s.scan_outbox(p, [](std::uint64_t, std::string_view, const std::vector<std::string>&, bool) {});
  for (int i = 0; i < 6; ++i)
    s.scan_post_details(p, std::string("acct-") + std::to_string(i), TimePoint::min(),
                        TimePoint::max(), [](TimePoint, std::string_view, const PostDetail&) {});
  (void)s.export_partition(p, 1 << 20, [](std::string_view) -> Result<void> { return ok(); });
}

TEST(PortableBody, BuildsAndReadsBack) {
  std::string body;
  portable::BodyBuilder b;
  b.begin(body, portable::kDeltaV1);
  std::string meta;
  codec::encode(meta, PartitionMeta{});
  b.add(body, portable::Family::meta, portable::OpKind::put, "", meta);
  b.add(body, portable::Family::outbox, portable::OpKind::del, std::string(8, '\x80'), "");
  b.finish(body);
  EXPECT_EQ(body[0], 1);
  EXPECT_EQ(body[1], 2);
  portable::BodyReader r;
  ASSERT_TRUE(r.check(body, portable::kDeltaV1).ok());
  ASSERT_EQ(r.ops().size(), 2u);
  EXPECT_EQ(r.ops()[0].family, portable::Family::meta);
  EXPECT_EQ(r.ops()[0].value, meta);
  EXPECT_EQ(r.ops()[1].kind, portable::OpKind::del);
  // A delta is not a chunk, and a chunk holds puts only.
  auto e = r.check(body, portable::kChunkV1);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Errc::corruption);
  body[0] = static_cast<char>(portable::kChunkV1);
  EXPECT_FALSE(r.check(body, portable::kChunkV1).ok());
}

TEST(PortableBody, RefusesWhatTheStoreCouldNotRead) {
  portable::BodyReader r;
  auto one = [](portable::Family f, portable::OpKind k, std::string_view key, std::string_view v) {
    std::string body;
    portable::BodyBuilder b;
    b.begin(body, portable::kDeltaV1);
    b.add(body, f, k, key, v);
    b.finish(body);
    return body;
  };
  std::string meta;
  codec::encode(meta, PartitionMeta{});
  EXPECT_TRUE(r.check(one(portable::Family::meta, portable::OpKind::put, "", meta), 1).ok());
  // A merge into a family without a merge operator.
  EXPECT_FALSE(r.check(one(portable::Family::meta, portable::OpKind::merge, "", meta), 1).ok());
  // A meta key with bytes (it is the partition alone), a value of another kind.
  EXPECT_FALSE(r.check(one(portable::Family::meta, portable::OpKind::put, "x", meta), 1).ok());
  EXPECT_FALSE(r.check(one(portable::Family::alerts, portable::OpKind::put, "acct", meta), 1).ok());
  // An outbox key is 8 bytes; a bucket key an escaped account and a day.
  EXPECT_FALSE(
      r.check(one(portable::Family::outbox, portable::OpKind::del, "1234567", ""), 1).ok());
  EXPECT_FALSE(r.check(one(portable::Family::buckets, portable::OpKind::del, "acct", ""), 1).ok());
  // A huge op count with no ops: refused before anything is reserved.
  std::string body = one(portable::Family::meta, portable::OpKind::put, "", meta);
  body[4] = '\x7f';
  EXPECT_FALSE(r.check(body, 1).ok());
}

TEST(PortableBody, TruncatedAtEveryByteIsAnErrorAndWritesNothing) {
  TempStore a, b;
  auto bodies = real_bodies(*a, 6, 1024);
  ASSERT_GT(bodies.chunks.size(), 1u);
  // b holds a state of its own in kB: it must stay exactly as it was.
  {
    std::vector<std::string_view> all(bodies.deltas.begin(), bodies.deltas.end() - 2);
    ASSERT_TRUE(b->apply_deltas(kB, all, std::nullopt, false).ok());
  }
  const auto before = dump(*b, kB);
  portable::BodyReader r;
  for (const auto& body : {bodies.deltas.back(), bodies.chunks.front()}) {
    for (std::size_t n = 0; n < body.size(); ++n) {
      const std::string_view cut(body.data(), n);
      auto e = r.check(cut, static_cast<std::uint8_t>(body[0]));
      ASSERT_FALSE(e.ok()) << n;
      EXPECT_EQ(e.error().code, Errc::corruption);
      if (body[0] == portable::kDeltaV1) {
        // After a valid body too: all of the call or nothing.
        std::vector<std::string_view> two{bodies.deltas[bodies.deltas.size() - 2], cut};
        auto applied = b->apply_deltas(kB, two, std::nullopt, false);
        ASSERT_FALSE(applied.ok());
        EXPECT_EQ(applied.error().code, Errc::corruption);
      }
    }
  }
  EXPECT_TRUE(testing::same_dump(dump(*b, kB), before));
  // A truncated chunk fails the import; the partition then has no meta.
  auto im = b->begin_import(kB);
  ASSERT_TRUE(im.ok());
  ASSERT_TRUE((*im)->add(bodies.chunks.front()).ok());
  const auto& last = bodies.chunks.back();
  EXPECT_FALSE((*im)->add(std::string_view(last.data(), last.size() - 1)).ok());
  im->reset();
  EXPECT_FALSE(b->meta(kB).has_value());
}

TEST(PortableBody, FlippedBytesAreRefusedOrReadable) {
  TempStore a, b;
  auto bodies = real_bodies(*a, 3, 1 << 20);
  int refused = 0, applied = 0, applied_chunks = 0;
  std::int32_t next = 100;
  for (const auto& body : {bodies.deltas.back(), bodies.chunks.front()}) {
    for (std::size_t i = 0; i < body.size(); ++i) {
      for (unsigned char x : {0x01, 0x80, 0xff}) {
        std::string bad = body;
        bad[i] = static_cast<char>(bad[i] ^ x);
        const Partition p{next++};
        Result<void> r = ok();
        if (body[0] == portable::kDeltaV1) {
          std::vector<std::string_view> one{bad};
          r = b->apply_deltas(p, one, std::nullopt, false);
        } else if (applied_chunks >= 20) {
          // An import flushes every family: read-check the rest only.
          portable::BodyReader reader;
          r = reader.check(bad, portable::kChunkV1);
          if (r.ok()) continue;
        } else {
          ++applied_chunks;
          auto im = b->begin_import(p);
          ASSERT_TRUE(im.ok());
          r = (*im)->add(bad);
          if (r.ok()) r = (*im)->finish(std::nullopt).ok() ? ok() : Result<void>(Error{"finish"});
        }
        if (!r.ok()) {
          EXPECT_EQ(r.error().code, Errc::corruption);
          ++refused;
          continue;
        }
        ++applied;
        read_all(*b, p);  // aborts on a value the store cannot read
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(applied, 0);
}

TEST(PartitionMetaCodec, OldMetaReadsWithoutAChain) {
  // A meta as earlier releases wrote it (v1, 33 bytes).
  std::string v1(1, '\x01');
  for (int i = 0; i < 4; ++i) codec::put_fixed64(v1, 10u + static_cast<unsigned>(i));
  PartitionMeta m;
  ASSERT_TRUE(codec::decode(v1, m));
  EXPECT_EQ(m.position, Offset{10});
  EXPECT_EQ(m.next_outbox_seq, 13u);
  EXPECT_FALSE(m.chain.has_value());
  EXPECT_EQ(m.epoch, 0u);
  // Without a chain and an epoch, the meta is written as v1 still.
  std::string again;
  codec::encode(again, m);
  EXPECT_EQ(again, v1);
}

TEST(PartitionMetaCodec, ChainHeadAndEpochRoundTrip) {
  PartitionMeta m;
  m.position = Offset{77};
  m.epoch = 5;
  std::string bytes;
  codec::encode(bytes, m);
  EXPECT_EQ(bytes.size(), 42u);
  PartitionMeta out;
  ASSERT_TRUE(codec::decode(bytes, out));
  EXPECT_EQ(out, m);

  ChainHead h;
  for (std::size_t i = 0; i < h.id.writer.size(); ++i)
    h.id.writer[i] = static_cast<std::uint8_t>(0xF0 + i);
  h.id.epoch = 5;
  h.id.seq = 1u << 20;
  h.offset = 123456789;
  h.base = -1;
  m.chain = h;
  bytes.clear();
  codec::encode(bytes, m);
  EXPECT_EQ(bytes.size(), 90u);
  ASSERT_TRUE(codec::decode(bytes, out));
  EXPECT_EQ(out, m);
  // Every shorter prefix, a longer value, an unknown flag: refused.
  for (std::size_t n = 0; n < bytes.size(); ++n)
    if (n != 33) {
      EXPECT_FALSE(codec::decode(std::string_view(bytes.data(), n), out)) << n;
    }
  std::string longer = bytes;
  longer.push_back('x');
  EXPECT_FALSE(codec::decode(longer, out));
  bytes[41] = 3;
  EXPECT_FALSE(codec::decode(bytes, out));
}

TEST(PartitionMetaCodec, StoreReadsOldAndNewMeta) {
  TempStore s;
  auto b = s->new_batch();
  PartitionMeta old;
  old.position = Offset{5};
  b->put_meta(Partition{1}, old);
  PartitionMeta chained = old;
  chained.chain = ChainHead{};
  chained.chain->offset = 9;
  b->put_meta(Partition{2}, chained);
  ASSERT_TRUE(s->commit(*b, true).ok());
  s.reopen();
  EXPECT_EQ(s->meta(Partition{1}), old);
  EXPECT_EQ(s->meta(Partition{2}), chained);
}

}  // namespace
}  // namespace kilter::storage

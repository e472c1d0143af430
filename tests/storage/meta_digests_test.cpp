// PartitionMeta's digests' progress (codec v3): round trip with and without a
// chain head, the older versions still read (and still written when there is no
// progress), and malformed tails refused.
#include <gtest/gtest.h>

#include "common/time.h"
#include "storage/codec.h"

namespace kilter::storage {
namespace {

PartitionMeta meta() {
  PartitionMeta m;
  m.position = Offset{42};
  m.max_event_time = from_epoch_ms(1'763'000'000'000);
  m.last_evaluated = from_epoch_ms(1'762'999'200'000);
  m.next_outbox_seq = 7;
  return m;
}

PartitionMeta round_trip(const PartitionMeta& m, std::string* bytes = nullptr) {
  std::string out;
  codec::encode(out, m);
  if (bytes) *bytes = out;
  PartitionMeta back;
  EXPECT_TRUE(codec::decode(out, back));
  return back;
}

TEST(MetaDigests, RoundTripWithAndWithoutAChain) {
  auto m = meta();
  m.digests["morning-review"] = from_epoch_ms(1'763'625'600'000);
  m.digests["weekly"] = from_epoch_ms(-5);
  std::string bytes;
  EXPECT_EQ(round_trip(m, &bytes), m);
  EXPECT_EQ(bytes[0], 3);
  m.epoch = 9;
  ChainHead h;
  h.id.writer[0] = 0xab;
  h.id.epoch = 2;
  h.id.seq = 3;
  h.offset = 100;
  h.base = 50;
  m.chain = h;
  EXPECT_EQ(round_trip(m), m);
}

TEST(MetaDigests, OlderVersionsAreWrittenAndReadAsBefore) {
  auto m = meta();
  std::string bytes;
  EXPECT_EQ(round_trip(m, &bytes), m);
  EXPECT_EQ(bytes.size(), 33u);  // v1, as earlier releases wrote it
  m.epoch = 1;
  EXPECT_EQ(round_trip(m, &bytes), m);
  EXPECT_EQ(bytes.size(), 42u);  // v2
  // A v2 value read into a meta that had progress leaves none.
  PartitionMeta back;
  back.digests["x"] = TimePoint{};
  ASSERT_TRUE(codec::decode(bytes, back));
  EXPECT_TRUE(back.digests.empty());
}

TEST(MetaDigests, MalformedTailsAreRefused) {
  auto m = meta();
  m.digests["d"] = from_epoch_ms(1000);
  std::string bytes;
  codec::encode(bytes, m);
  PartitionMeta out;
  EXPECT_FALSE(codec::decode(bytes.substr(0, bytes.size() - 1), out));  // truncated time
  EXPECT_FALSE(codec::decode(bytes + "x", out));                        // trailing byte
  auto twice = bytes;
  twice[42] = 2;  // count 2, then the same entry again
  twice += bytes.substr(43);
  EXPECT_FALSE(codec::decode(twice, out));
  auto v2 = bytes;
  v2[0] = 2;  // a v2 value has nothing after its fields
  EXPECT_FALSE(codec::decode(v2, out));
}

}  // namespace
}  // namespace kilter::storage

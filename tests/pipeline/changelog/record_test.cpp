// The record framing and the commit metadata: round trips, and hostile bytes and text
// that must be errors, never crashes or over-reads (run under ASan too).
#include "pipeline/changelog/record.h"

#include <gtest/gtest.h>

#include "pipeline/changelog/commit_metadata.h"

namespace kilter::changelog {
namespace {

WriterId writer(std::uint8_t fill) {
  WriterId w;
  w.fill(fill);
  return w;
}

RecordHeader sample() {
  RecordHeader h;
  h.kind = RecordKind::delta;
  h.id = {writer(0xab), 7, 42};
  h.prev = {writer(0xab), 7, 41};
  h.base = 1000;
  h.from = 5000;
  h.to = 5123;
  return h;
}

TEST(Record, RoundTrips) {
  std::string out;
  encode_record(sample(), "the body", out);
  EXPECT_EQ(out.size(), kRecordOverhead + 8);
  auto v = decode_record(out);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->header, sample());
  EXPECT_EQ(v->body, "the body");

  RecordHeader chunk;
  chunk.kind = RecordKind::snapshot;
  chunk.last_chunk = true;
  chunk.id = {writer(1), 1, 1};
  chunk.from = chunk.to = 77;
  encode_record(chunk, "", out);
  auto c = decode_record(out);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->header, chunk);
  EXPECT_TRUE(c->header.prev.none());
  EXPECT_TRUE(c->body.empty());
}

TEST(Record, ASmallRecordAfterALargeOneDoesNotKeepTheLargeBuffer) {
  // A chain reuses its buffer: a snapshot chunk's 256 KiB must not stay with
  // each of the chains for the deltas that follow (peak RSS).
  std::string out;
  const std::string chunk(256 << 10, 's');
  encode_record(sample(), chunk, out);
  EXPECT_GE(out.capacity(), chunk.size());
  encode_record(sample(), "a delta", out);
  EXPECT_LT(out.capacity(), std::size_t{64} << 10);
  auto v = decode_record(out);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(v->body, "a delta");
  // Records of similar sizes keep reusing it.
  const std::string delta(100 << 10, 'd');
  encode_record(sample(), delta, out);
  const auto* kept = out.data();
  encode_record(sample(), std::string_view(delta).substr(1), out);
  EXPECT_EQ(out.data(), kept);
}

TEST(Record, EveryTruncationAndEveryFlippedByteIsCorruption) {
  std::string good;
  encode_record(sample(), "some body bytes", good);
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto v = decode_record(std::string_view(good).substr(0, n));
    ASSERT_FALSE(v.ok()) << n;
    EXPECT_EQ(v.error().code, Errc::corruption);
  }
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    auto v = decode_record(bad);
    ASSERT_FALSE(v.ok()) << "byte " << i;
    EXPECT_EQ(v.error().code, Errc::corruption);
  }
  EXPECT_FALSE(decode_record(good + "x").ok());
}

TEST(Record, RejectsWellFormedButImpossibleHeaders) {
  std::string out;
  auto h = sample();
  h.to = h.from - 1;
  encode_record(h, "", out);
  EXPECT_FALSE(decode_record(out).ok());
  h = sample();
  h.last_chunk = true;  // a delta is no chunk
  encode_record(h, "", out);
  EXPECT_FALSE(decode_record(out).ok());
  h = sample();
  h.from = -1;
  encode_record(h, "", out);
  EXPECT_FALSE(decode_record(out).ok());
}

TEST(Record, KnownCrc32cValues) {
  // RFC 3720's check value, and the empty string.
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c(""), 0u);
  EXPECT_EQ(crc32c("6789", crc32c("12345")), crc32c("123456789"));
}

TEST(Record, Crc32cOfLongerInputsMatchesTheBytewiseDefinition) {
  // RFC 3720 B.4's 32-byte vectors (the sliced loop runs on them).
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  // Every length and split point up to 70 bytes against the bit-by-bit definition.
  auto reference = [](std::string_view d) {
    std::uint32_t c = ~0u;
    for (unsigned char b : d) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
  };
  std::string data;
  for (int i = 0; i < 70; ++i) data.push_back(static_cast<char>(i * 97 + 13));
  for (std::size_t n = 0; n <= data.size(); ++n) {
    const std::string_view d(data.data(), n);
    EXPECT_EQ(crc32c(d), reference(d)) << n;
    for (std::size_t split = 0; split <= n; split += 5)
      EXPECT_EQ(crc32c(d.substr(split), crc32c(d.substr(0, split))), reference(d)) << n;
  }
}

TEST(Record, WriterIdsFromTheStoresHexIds) {
  auto w = writer_from_hex("00112233445566778899aabbccddeeff");
  ASSERT_TRUE(w);
  EXPECT_EQ((*w)[0], 0x00);
  EXPECT_EQ((*w)[15], 0xff);
  EXPECT_EQ(to_hex(*w), "00112233445566778899aabbccddeeff");
  EXPECT_FALSE(writer_from_hex("0011"));
  EXPECT_FALSE(writer_from_hex("g0112233445566778899aabbccddeeff"));
  EXPECT_FALSE(writer_from_hex("00112233445566778899AABBCCDDEEFF"));  // one spelling only
  EXPECT_EQ(record_key("social.events", 11), "social.events:11");
}

TEST(CommitMetadata, RoundTrips) {
  ChainHead h{{writer(0x5a), 18446744073709551615ull, 3}, 11, 123456789012, 1234};
  const auto text = format_commit_metadata(h);
  EXPECT_EQ(text.rfind("kilter1:5a5a", 0), 0u);
  auto back = parse_commit_metadata(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
}

TEST(CommitMetadata, OtherFormatsAreNoChainAndHostileTextIsRefused) {
  EXPECT_FALSE(is_commit_metadata(""));
  EXPECT_FALSE(is_commit_metadata("kilter:0011"));  // the single-instance format
  const std::string ok = "kilter1:00112233445566778899aabbccddeeff:1:2:3:40:40";
  ASSERT_TRUE(parse_commit_metadata(ok));
  for (const char* bad : {
           "kilter1:",
           "kilter1:00112233445566778899aabbccddeeff:1:2:3:40",              // a field short
           "kilter1:00112233445566778899aabbccddeeff:1:2:3:40:40:",          // one too many
           "kilter1:00112233445566778899aabbccddeeff:1:2:3:40:41",           // base after head
           "kilter1:00112233445566778899aabbccddeeff:1:2:-3:40:40",          // a sign
           "kilter1:00112233445566778899aabbccddeeff:01:2:3:40:40",          // a leading zero
           "kilter1:00112233445566778899aabbccddeeff:1:2:3:40:4 0",          // a blank
           "kilter1:0011:1:2:3:40:40",                                       // a short writer
           "kilter1:00112233445566778899aabbccddeeff:1:2:2147483648:40:40",  // > int32
           "kilter1:00112233445566778899aabbccddeeff:1:99999999999999999999:3:40:40",
       }) {
    EXPECT_TRUE(is_commit_metadata(bad));
    EXPECT_FALSE(parse_commit_metadata(bad)) << bad;
  }
  // Cut anywhere before the last field's last digit ("...:40:4" is a valid head).
  for (std::size_t n = 0; n + 1 < ok.size(); ++n)
    EXPECT_FALSE(parse_commit_metadata(std::string_view(ok).substr(0, n))) << n;
}

}  // namespace
}  // namespace kilter::changelog

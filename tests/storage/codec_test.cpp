#include "storage/codec.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/keys.h"

namespace kilter::storage {
namespace {

using namespace std::literals;

template <class T>
T round_trip(const T& in) {
  std::string bytes;
  codec::encode(bytes, in);
  T out;
  EXPECT_TRUE(codec::decode(bytes, out));
  return out;
}

BucketCounts full_counts() {
  BucketCounts c;
  for (std::size_t i = 0; i < c.posts.size(); ++i) c.posts[i] = static_cast<std::uint32_t>(i + 1);
  c.posts[2] = std::numeric_limits<std::uint32_t>::max();
  for (std::size_t e = 0; e < kEngagementClasses; ++e)
    for (std::size_t a = 0; a < kActions; ++a) c.engagement[e][a] = e * 100 + a + 1;
  c.engagement[4][5] = std::numeric_limits<std::uint64_t>::max();
  c.followers = FollowerSpan{1'700'000'000'000, -5, 1'700'000'360'000, 12850};
  return c;
}

TEST(Codec, BucketCountsRoundTrip) {
  EXPECT_EQ(round_trip(BucketCounts{}), BucketCounts{});
  EXPECT_EQ(round_trip(full_counts()), full_counts());

  BucketCounts one_snapshot;
  one_snapshot.followers.add(1'700'000'000'000, 42);
  EXPECT_EQ(round_trip(one_snapshot), one_snapshot);

  BucketCounts before_epoch;
  before_epoch.followers = FollowerSpan{-86'400'000, 1, 0, 0};
  EXPECT_EQ(round_trip(before_epoch), before_epoch);
}

TEST(Codec, BucketDeltaOfOneEventIsSmall) {
  BucketCounts post;
  post.posts[static_cast<std::size_t>(Category::personal)] = 1;
  std::string bytes;
  codec::encode(bytes, post);
  EXPECT_LE(bytes.size(), 4u);

  BucketCounts snapshot;
  snapshot.followers.add(1'700'000'000'000, 12850);
  bytes.clear();
  codec::encode(bytes, snapshot);
  EXPECT_LE(bytes.size(), 16u);  // one (ts, value) pair, not two
}

TEST(Codec, BucketCountsRejectsCorruptInput) {
  std::string good;
  codec::encode(good, full_counts());
  BucketCounts out;
  EXPECT_FALSE(codec::decode("", out));
  std::string other_version = good;
  other_version[0] = 2;
  EXPECT_FALSE(codec::decode(other_version, out));
  EXPECT_FALSE(codec::decode(good.substr(0, good.size() - 1), out));          // truncated
  EXPECT_FALSE(codec::decode(good + "x", out));                               // trailing bytes
  EXPECT_FALSE(codec::decode("\x01\xff\xff\xff\xff\xff\xff\xff\x7f"s, out));  // unknown fields
  // A post count beyond 32 bits.
  EXPECT_FALSE(codec::decode("\x01\x01\xff\xff\xff\xff\x7f"s, out));
}

TEST(Codec, AddingAPackedBucketIsMergingItsUnpackedCounts) {
  BucketCounts sum = full_counts();
  BucketCounts other;
  other.posts[1] = 3;
  other.engagement[2][4] = 9;
  other.followers.add(1'700'000'100'000, 13000);
  std::string bytes;
  pack(bytes, other);
  std::string_view in(bytes);
  ASSERT_TRUE(add_packed(in, sum));
  EXPECT_TRUE(in.empty());
  BucketCounts expected = full_counts();
  expected.merge(other);
  EXPECT_EQ(sum, expected);
}

TEST(Codec, BucketRowsRoundTripMergeAndReadSingleBuckets) {
  BucketCounts one;
  one.posts[0] = 1;
  const std::vector<codec::RowEntry> a{{Millis{0}, one}, {std::chrono::hours(5), full_counts()}};
  std::string bytes;
  codec::encode_row(bytes, a);
  std::vector<codec::RowEntry> got;
  ASSERT_TRUE(codec::decode_row(bytes, got));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].offset, std::chrono::hours(5));
  EXPECT_EQ(got[1].counts, full_counts());
  // Merging adds the buckets both have and keeps the order.
  const std::vector<codec::RowEntry> b{{Millis{0}, one}, {std::chrono::hours(2), one}};
  codec::merge_rows(got, b);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].counts.posts[0], 2u);
  EXPECT_EQ(got[1].offset, std::chrono::hours(2));
  EXPECT_EQ(got[2].offset, std::chrono::hours(5));
  // A v1 value (one bucket, stored before rows) reads as a row of one at offset 0.
  bytes.clear();
  codec::encode(bytes, one);
  ASSERT_TRUE(codec::decode_row(bytes, got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset, Millis{0});
  EXPECT_EQ(got[0].counts, one);
  // Rows start on a day, also before the epoch and at the earliest time.
  EXPECT_EQ(codec::row_start(from_epoch_ms(86'400'000 + 5)), from_epoch_ms(86'400'000));
  EXPECT_EQ(codec::row_start(from_epoch_ms(-1)), from_epoch_ms(-86'400'000));
  EXPECT_EQ(codec::row_start(TimePoint::min()), TimePoint::min());
}

TEST(Codec, RowsKeepEngagementByPostAndMergeIt) {
  BucketCounts one;
  one.posts[0] = 1;
  codec::Row a;
  a.buckets = {{Millis{0}, one}};
  a.engagement = {{"p-1", 5}, {"p-3", 1}};
  std::string bytes;
  codec::encode_row(bytes, a);
  codec::Row got;
  ASSERT_TRUE(codec::decode_row(bytes, got));
  EXPECT_EQ(got.engagement, a.engagement);
  // Read for its buckets only, the engagement is skipped.
  std::vector<codec::RowEntry> buckets;
  ASSERT_TRUE(codec::decode_row(bytes, buckets));
  ASSERT_EQ(buckets.size(), 1u);
  codec::Row b;
  b.engagement = {{"p-1", 2}, {"p-2", 7}};
  codec::merge_rows(got, b);
  EXPECT_EQ(got.engagement,
            (std::vector<codec::PostEngagement>{{"p-1", 7}, {"p-2", 7}, {"p-3", 1}}));
  EXPECT_EQ(got.buckets.size(), 1u);
  // Without engagement a row is written as v2.
  bytes.clear();
  codec::encode_row(bytes, codec::Row{a.buckets, {}, {}});
  EXPECT_EQ(bytes[0], 2);
  // Ids out of order are refused.
  bytes.clear();
  codec::encode_row(bytes, codec::Row{{}, {{"b", 1}, {"a", 1}}, {}});
  EXPECT_FALSE(codec::decode_row(bytes, got));
}

TEST(Codec, BucketRowsRejectCorruptInput) {
  std::string good;
  const std::vector<codec::RowEntry> a{{Millis{0}, full_counts()}, {Millis{3'600'000}, {}}};
  codec::encode_row(good, a);
  std::vector<codec::RowEntry> out;
  EXPECT_FALSE(codec::decode_row("", out));
  EXPECT_FALSE(codec::decode_row(good.substr(0, good.size() - 1), out));  // truncated
  EXPECT_FALSE(codec::decode_row(good + "x", out));                       // trailing bytes
  std::string unordered;
  const std::vector<codec::RowEntry> backwards{{Millis{5}, {}}, {Millis{1}, {}}};
  codec::encode_row(unordered, backwards);
  EXPECT_FALSE(codec::decode_row(unordered, out));
  std::string beyond;
  const std::vector<codec::RowEntry> late{{codec::kRowSpan, {}}};
  codec::encode_row(beyond, late);
  EXPECT_FALSE(codec::decode_row(beyond, out));  // an offset past the day
}

TEST(Codec, SeenIdBlocksRoundTripAndRejectCorruptInput) {
  const std::vector<SeenId> ids{{from_epoch_ms(1'700'000'000'500), 7},
                                {from_epoch_ms(1'700'000'000'000), ~std::uint64_t{0}},
                                {from_epoch_ms(-5), 0}};
  std::string bytes;
  codec::encode_seen_ids(bytes, ids);
  std::vector<SeenId> got;
  ASSERT_TRUE(codec::decode_seen_ids(bytes, got));
  EXPECT_EQ(got, ids);
  EXPECT_LE(bytes.size(), 1 + 1 + 8 + 3 * (6 + 8));  // time deltas are varints
  got.clear();
  EXPECT_FALSE(codec::decode_seen_ids(bytes.substr(0, bytes.size() - 1), got));
  got.clear();
  EXPECT_FALSE(codec::decode_seen_ids(bytes + "x", got));
  got.clear();
  EXPECT_FALSE(codec::decode_seen_ids("\x02"s, got));
}

TEST(Codec, PostRefRoundTrip) {
  PostRef r{"acme\0corp"s, Category::promotional, from_epoch_ms(1'700'000'000'123)};
  auto out = round_trip(r);
  EXPECT_EQ(out.account, r.account);
  EXPECT_EQ(out.category, r.category);
  EXPECT_EQ(out.ts, r.ts);

  std::string bytes;
  codec::encode(bytes, r);
  TimePoint ts;
  ASSERT_TRUE(codec::decode_post_ts(bytes, ts));
  EXPECT_EQ(ts, r.ts);
  bytes[1] = 9;  // no such category
  EXPECT_FALSE(codec::decode(bytes, out));
}

TEST(Codec, PostDetailRoundTripAndAddOperand) {
  PostDetail d{Category::professional, 0.875f, 1234, "q3,report", "https://acme.example/q3"};
  auto out = round_trip(d);
  EXPECT_EQ(out.category, d.category);
  EXPECT_EQ(out.confidence, d.confidence);
  EXPECT_EQ(out.engagement, d.engagement);
  EXPECT_EQ(out.matched, d.matched);
  EXPECT_EQ(out.link, d.link);

  auto empty = round_trip(PostDetail{});
  EXPECT_TRUE(empty.matched.empty());
  EXPECT_TRUE(empty.link.empty());

  std::string add;
  codec::encode_engagement_add(add, 77);
  bool full = true;
  std::uint64_t e = 0;
  ASSERT_TRUE(codec::decode_detail_kind(add, full, e));
  EXPECT_FALSE(full);
  EXPECT_EQ(e, 77u);
  EXPECT_FALSE(codec::decode(add, out));  // an add is not a record

  std::string bytes;
  codec::encode(bytes, d);
  ASSERT_TRUE(codec::decode_detail_kind(bytes, full, e));
  EXPECT_TRUE(full);
  EXPECT_EQ(e, 1234u);
  bytes[codec::kDetailEngagementOffset + 8] = 100;  // matched length beyond the value
  EXPECT_FALSE(codec::decode(bytes, out));
}

TEST(Codec, AlertStateRoundTrip) {
  for (auto phase : {AlertPhase::inactive, AlertPhase::pending, AlertPhase::firing}) {
    for (bool notified : {false, true}) {
      AlertState s{phase, from_epoch_ms(1'700'000'000'000), -0.125, notified, {}, {}};
      auto out = round_trip(s);
      EXPECT_EQ(out, s);
    }
  }
  // A v1 value (before the notified flag): a firing alert had been notified.
  std::string v1("\x01\x02", 2);
  for (int i = 0; i < 16; ++i) v1.push_back('\0');
  AlertState old;
  ASSERT_TRUE(codec::decode(v1, old));
  EXPECT_EQ(old.phase, AlertPhase::firing);
  EXPECT_TRUE(old.notified);
  auto nan = round_trip(AlertState{AlertPhase::firing, {}, std::nan(""), true, {}, {}});
  EXPECT_TRUE(std::isnan(nan.last_value));

  std::string bytes;
  codec::encode(bytes, AlertState{});
  bytes[1] = 3;
  AlertState out;
  EXPECT_FALSE(codec::decode(bytes, out));
}

// v3 keeps the time of the last verdict (no_verdict) and the start of a
// keep_firing_for wait; v2 and v1 values are still read.
TEST(Codec, AlertStateV3KeepsTheWaitsAndOlderFormatsAreRead) {
  AlertState s;
  s.phase = AlertPhase::firing;
  s.since = from_epoch_ms(1'700'000'000'000);
  s.last_value = 0.42;
  s.notified = true;
  s.verdict_at = from_epoch_ms(1'700'000'360'000);
  std::string bytes;
  codec::encode(bytes, s);
  EXPECT_EQ(bytes.size(), 35u);
  EXPECT_EQ(bytes[0], 3);
  EXPECT_EQ(round_trip(s), s);
  s.within_since = from_epoch_ms(1'700'000'720'000);
  EXPECT_EQ(round_trip(s), s);
  s.within_since = from_epoch_ms(-5);  // before the epoch: the flag, not the value, says it is set
  EXPECT_EQ(round_trip(s), s);
  s.notified = false;
  s.within_since = TimePoint{};
  EXPECT_EQ(round_trip(s), s);

  // v2, as earlier releases wrote it: firing since T, 0.42, notified.
  std::string v2("\x02\x02", 2);
  for (int i = 0; i < 8; ++i) v2.push_back(static_cast<char>(1'700'000'000'000 >> (8 * i)));
  const auto bits = std::bit_cast<std::uint64_t>(0.42);
  for (int i = 0; i < 8; ++i) v2.push_back(static_cast<char>(bits >> (8 * i)));
  v2.push_back('\x01');
  AlertState old;
  old.within_since = TimePoint{};  // overwritten
  ASSERT_TRUE(codec::decode(v2, old));
  EXPECT_EQ(old.phase, AlertPhase::firing);
  EXPECT_EQ(old.since, from_epoch_ms(1'700'000'000'000));
  EXPECT_DOUBLE_EQ(old.last_value, 0.42);
  EXPECT_TRUE(old.notified);
  EXPECT_EQ(old.verdict_at, old.since);  // the last verdict known for sure
  EXPECT_FALSE(old.within_since);
  // v1 reads the same way.
  std::string v1 = v2.substr(0, 18);
  v1[0] = 1;
  ASSERT_TRUE(codec::decode(v1, old));
  EXPECT_EQ(old.verdict_at, from_epoch_ms(1'700'000'000'000));
  EXPECT_FALSE(old.within_since);

  // Sizes that do not match their version, and unknown flags, are refused.
  AlertState out;
  std::string wrong = v2;
  wrong[0] = 3;
  EXPECT_FALSE(codec::decode(wrong, out));
  wrong = bytes;
  wrong[0] = 2;
  EXPECT_FALSE(codec::decode(wrong, out));
  wrong = bytes;
  wrong.pop_back();
  EXPECT_FALSE(codec::decode(wrong, out));
  wrong = bytes;
  wrong[18] = 4;
  EXPECT_FALSE(codec::decode(wrong, out));
}

TEST(Codec, MetaCutoffsOutboxRoundTrip) {
  PartitionMeta m{Offset{-1}, from_epoch_ms(1'700'000'000'000), from_epoch_ms(-3), 1ull << 40, {},
                  0, {}};
  EXPECT_EQ(round_trip(m), m);

  codec::Cutoffs c{from_epoch_ms(5), TimePoint::min()};
  EXPECT_EQ(round_trip(c), c);

  std::string bytes;
  const std::vector<std::string> sinks = {"slack", "", "file"};
  codec::encode_outbox(bytes, "{\"alert_id\":\"x\"}\0tail"s, sinks);
  std::string_view record;
  std::vector<std::string> got;
  bool all = true;
  ASSERT_TRUE(codec::decode_outbox(bytes, record, got, all));
  EXPECT_EQ(record, "{\"alert_id\":\"x\"}\0tail"s);
  EXPECT_EQ(got, sinks);
  EXPECT_FALSE(all);
  // v1: no sink list, owed to every sink.
  ASSERT_TRUE(codec::decode_outbox("\x01{}", record, got, all));
  EXPECT_TRUE(all);
  EXPECT_EQ(record, "{}");
  EXPECT_FALSE(codec::decode_outbox("", record, got, all));
  EXPECT_FALSE(codec::decode_outbox("\x02\x05\x01", record, got, all));  // truncated list
  EXPECT_FALSE(codec::decode(std::string_view("\x01short"), m));
}

// ---- keys

TEST(Keys, TimesAndPartitionsSortNumerically) {
  std::vector<std::int64_t> times = {
      std::numeric_limits<std::int64_t>::min(), -5'000'000'000'000, -1, 0, 1, 1'700'000'000'000,
      std::numeric_limits<std::int64_t>::max()};
  std::vector<std::string> encoded;
  for (auto t : times) {
    std::string k;
    keys::append_time(k, from_epoch_ms(t));
    std::string_view in = k;
    TimePoint back;
    ASSERT_TRUE(keys::read_time(in, back));
    EXPECT_EQ(epoch_ms(back), t);
    encoded.push_back(k);
  }
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));

  encoded.clear();
  for (std::int32_t p : {std::numeric_limits<std::int32_t>::min(), -1, 0, 1, 255, 256,
                         std::numeric_limits<std::int32_t>::max()}) {
    std::string k;
    keys::append_partition(k, Partition{p});
    std::string_view in = k;
    Partition back;
    ASSERT_TRUE(keys::read_partition(in, back));
    EXPECT_EQ(back.value(), p);
    encoded.push_back(k);
  }
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));
}

TEST(Keys, AccountsArePrefixFreeAndKeepByteOrder) {
  // Sorted as raw bytes; "a" is a prefix of all the others.
  std::vector<std::string> accounts = {"",
                                       "a",
                                       "a\0"s,
                                       "a\0b"s,
                                       "a\x01"
                                       "b",
                                       "ab",
                                       "b"};
  ASSERT_TRUE(std::is_sorted(accounts.begin(), accounts.end()));
  std::vector<std::string> lowest;   // each account's smallest bucket key
  std::vector<std::string> highest;  // and its largest
  for (const auto& a : accounts) {
    std::string k;
    keys::bucket_key(k, Partition{0}, a, TimePoint::min());
    lowest.push_back(k);
    keys::bucket_key(k, Partition{0}, a, TimePoint::max());
    highest.push_back(k);

    std::string_view in = std::string_view(k).substr(keys::kPartitionBytes);
    std::string scratch;
    std::string_view back;
    ASSERT_TRUE(keys::read_account(in, scratch, back));
    EXPECT_EQ(back, a);
    EXPECT_EQ(in.size(), keys::kTimeBytes);
    in = std::string_view(k).substr(keys::kPartitionBytes);
    ASSERT_TRUE(keys::skip_account(in));
    EXPECT_EQ(in.size(), keys::kTimeBytes);
  }
  // Every key of one account sorts before every key of the next: no interleaving.
  for (std::size_t i = 0; i + 1 < accounts.size(); ++i)
    EXPECT_LT(highest[i], lowest[i + 1]) << "after account #" << i;
}

TEST(Keys, MalformedAccountIsRejected) {
  std::string scratch;
  std::string_view account;
  std::string_view in = "abc";  // no terminator
  EXPECT_FALSE(keys::read_account(in, scratch, account));
  in = "a\0\x02"sv;  // unknown escape
  EXPECT_FALSE(keys::read_account(in, scratch, account));
  in = "a\0"sv;
  EXPECT_FALSE(keys::skip_account(in));
}

TEST(Keys, PrefixEnd) {
  std::string end;
  ASSERT_TRUE(keys::prefix_end("\x01\xff", end));
  EXPECT_EQ(end, "\x02");
  ASSERT_TRUE(keys::prefix_end("ab", end));
  EXPECT_EQ(end, "ac");
  EXPECT_FALSE(keys::prefix_end("\xff\xff", end));
  EXPECT_FALSE(keys::prefix_end("", end));
}

TEST(Keys, SeenIdBlocksSortByNewestEventTimeFirst) {
  std::string early;
  std::string late;
  std::string bound;
  keys::seen_key(early, Partition{1}, from_epoch_ms(3'600'000), Offset{900});
  keys::seen_key(late, Partition{1}, from_epoch_ms(3'600'001), Offset{1});
  keys::seen_prefix(bound, Partition{1}, from_epoch_ms(3'600'001));
  EXPECT_LT(early, bound);  // what a range deletion up to `bound` removes
  EXPECT_LE(bound, late);   // and what it keeps
}

}  // namespace
}  // namespace kilter::storage

// Value encodings of the state store. Every value starts with a byte naming its
// format (the version), so a later release can read what an earlier one wrote.
// Decoders validate everything they read and return false on anything they do
// not recognise; the store treats that as a broken invariant (see README.md).
// Encoders append to the caller's buffer so the hot path reuses one string.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/records.h"

namespace kilter::storage::codec {

inline constexpr std::uint8_t kV1 = 1;
inline constexpr std::uint8_t kV2 = 2;
inline constexpr std::uint8_t kV3 = 3;
inline constexpr std::uint8_t kV4 = 4;
// Post details exist as a full record or as an engagement delta (a merge operand,
// or the result of merging deltas with no record underneath).
inline constexpr std::uint8_t kDetailFull = 1;
inline constexpr std::uint8_t kDetailAdd = 2;

// Retention cutoffs of one partition (not part of the seam: the store's own).
struct Cutoffs {
  TimePoint cutoff = TimePoint::min();       // buckets, posts, post details
  TimePoint seen_cutoff = TimePoint::min();  // seen event ids
  bool operator==(const Cutoffs&) const = default;
};

// BucketCounts: sparse. A varint bit mask of the non-zero fields, then their values
// as varints, so a one-event delta takes a few bytes in the WAL and the memtable.
void encode(std::string& out, const BucketCounts& c);
bool decode(std::string_view in, BucketCounts& out);

// A row: the buckets of one account within one day (kRowSpan), stored under
// the day's start, so that a commit writes one key per account and day rather
// than per bucket. v2: version, count (varint), then per bucket, ascending, its
// start after the row's (varint ms) and its counts (as above, without the
// version byte). A v1 value, one bucket at the key's time, reads as a row of one.
inline constexpr Millis kRowSpan = std::chrono::hours(24);
TimePoint row_start(TimePoint bucket);
struct RowEntry {
  Millis offset{0};  // bucket start - row start
  BucketCounts counts;
};
// A row also keeps the engagement its account's posts earned that day (by post
// id), so that adding engagement to a post is part of the row's write rather
// than a write of its own: v3 is v2 followed by a count (varint) and, ascending
// by post id, each id (varint length, bytes) and its weighted engagement (varint).
struct PostEngagement {
  std::string post_id;
  std::uint64_t weighted = 0;
  bool operator==(const PostEngagement&) const = default;
};
// A row also keeps the details of the posts its account made that day, so
// that a post costs no key of its own (issue 13: the post_details family took
// one write per post): v4 is v3 (its engagement count possibly 0) followed by a
// count (varint) and, ascending by (time, id), each post's time after the
// row's (varint ms), id (varint length, bytes), category (byte), confidence
// (f32, little-endian), matched terms and link (each varint length, bytes). A
// post put again (same time and id) replaces the earlier one.
struct RowPost {
  Millis offset{0};  // post time - row start
  std::string id;
  PostDetail detail;  // its engagement is not stored here (see PostEngagement)
};
struct Row {
  std::vector<RowEntry> buckets;           // ascending by offset
  std::vector<PostEngagement> engagement;  // ascending by post id
  std::vector<RowPost> posts;              // ascending by (offset, id)
};
void encode_row(std::string& out, std::span<const RowEntry> entries);
void encode_row(std::string& out, const Row& row);
// A row holding only one post's engagement, or only one post: the merge
// operands of the hot path, encoded without building a Row.
void encode_row_engagement(std::string& out, std::string_view post_id, std::uint64_t weighted);
void encode_row_post(std::string& out, Millis offset, std::string_view post_id,
                     const PostDetail& d);
// Replaces `out` with the row's buckets, ascending by offset (its engagement
// and posts are checked and skipped).
bool decode_row(std::string_view in, std::vector<RowEntry>& out);
bool decode_row(std::string_view in, Row& out);
// Adds the entries of `delta` (ascending) into `sum` (ascending).
void merge_rows(std::vector<RowEntry>& sum, std::span<const RowEntry> delta);
void merge_rows(Row& sum, const Row& delta);

// PostRef: version, category, ts (fixed 8 bytes, so retention reads it in place),
// account (the rest).
void encode(std::string& out, const PostRef& r);
bool decode(std::string_view in, PostRef& out);
bool decode_post_ts(std::string_view in, TimePoint& ts);

// PostDetail: kDetailFull, category, confidence (f32), engagement (u64 at a fixed
// offset, so an engagement delta is applied without re-encoding), matched
// (varint length + bytes), link (the rest).
void encode(std::string& out, const PostDetail& d);
bool decode(std::string_view in, PostDetail& out);  // false for an add-only value too
void encode_engagement_add(std::string& out, std::uint64_t delta);
// Parses either form: full (is_full=true) or add-only (delta in `engagement`).
bool decode_detail_kind(std::string_view in, bool& is_full, std::uint64_t& engagement);
// Offset of the engagement field inside a full PostDetail value.
inline constexpr std::size_t kDetailEngagementOffset = 6;
// Adds to the engagement of an encoded value of either form, in place.
bool add_detail_engagement(std::string& value, std::uint64_t delta);

// AlertState: version, phase, since (i64), last_value (f64 bits), flags
// (notified, within_since set), verdict_at (i64), within_since (i64): 35 bytes
// (v3). v2 (19 bytes, no times after the flags) and v1 (18, no flags) are still
// read: their verdict_at is their since, their within_since unset.
void encode(std::string& out, const AlertState& s);
bool decode(std::string_view in, AlertState& out);

// PartitionMeta: v1, version and four fixed 8-byte fields (33 bytes), while
// there is no chain head and no epoch; v2 adds the epoch counter, a flag byte and
// the chain head when there is one (42 or 90 bytes); v3 (when digests have
// progress) adds each digest's name and time after v2's fields. All read.
void encode(std::string& out, const PartitionMeta& m);
bool decode(std::string_view in, PartitionMeta& out);

void encode(std::string& out, const Cutoffs& c);
bool decode(std::string_view in, Cutoffs& out);

// Outbox: version, the names of the sinks still owed, then the record bytes.
// A v1 value (no sink list) is owed to every sink: `all_sinks`.
void encode_outbox(std::string& out, std::string_view record, std::span<const std::string> sinks);
bool decode_outbox(std::string_view in, std::string_view& record, std::vector<std::string>& sinks,
                   bool& all_sinks);

// A block of seen ids: version, count (varint), the oldest time (i64), then per id
// its time after the oldest (varint) and its hash (fixed 8 bytes): ~11 bytes an id.
void encode_seen_ids(std::string& out, std::span<const SeenId> ids);
// Appends to `out`; false (and `out` as far as it got) on a malformed block.
bool decode_seen_ids(std::string_view in, std::vector<SeenId>& out);

// Fixed little-endian integers, shared with the merge operators.
void put_fixed64(std::string& out, std::uint64_t v);
std::uint64_t get_fixed64(const char* p);
void set_fixed64(char* p, std::uint64_t v);

}  // namespace kilter::storage::codec

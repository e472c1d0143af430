// One changelog record: a binary header (what the record is, who wrote it, which record
// it follows, the input offsets it accounts for) and an opaque body (storage's delta of
// one commit, or one chunk of a partition's snapshot). The only code that reads or
// writes the framing. Little-endian, versioned by its magic, checked by a CRC-32C.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "storage/records.h"

namespace kilter::changelog {

// The writing store's instance id (StateStore::instance_id(): 32 hex digits), raw.
using WriterId = decltype(storage::ChainId::writer);
// The 16 bytes of 32 lower-case hex digits (as the store writes them, and as
// to_hex() gives them back); nullopt for anything else.
std::optional<WriterId> writer_from_hex(std::string_view hex);
std::string to_hex(const WriterId& w);

// A record's identity: its writer, the writer's epoch for the partition (raised each time
// the writer starts owning it) and a count within the epoch. Ids, not offsets, link
// records, so that a writer can send several before it knows their offsets. The same
// type as the chain head id a partition's meta keeps (storage/records.h).
using RecordId = storage::ChainId;

enum class RecordKind : std::uint8_t {
  delta = 1,     // one commit's operations on the partition
  snapshot = 2,  // one chunk of the partition's whole state
};

struct RecordHeader {
  RecordKind kind = RecordKind::delta;
  bool last_chunk = false;  // a snapshot's last chunk
  RecordId id;
  RecordId prev;  // none: the first chunk of a snapshot (a chain starts there)
  // The changelog offset of the first chunk of the snapshot the chain starts from; -1 in
  // a snapshot's own chunks (their run is the base).
  std::int64_t base = -1;
  // Input offsets: the partition's state after this record is the state after reading
  // up to, not including, `to`. A snapshot chunk has from == to: its position.
  std::int64_t from = 0;
  std::int64_t to = 0;
  bool operator==(const RecordHeader&) const = default;
};

struct RecordView {
  RecordHeader header;
  std::string_view body;  // a view into the bytes decoded
};

// Bytes the framing adds to a body.
inline constexpr std::size_t kRecordOverhead = 4 + 2 + 32 + 32 + 8 * 3 + 4 + 4;

// Writes the record (header, body, checksum) into `out`, replacing its contents (its
// capacity is reused: no allocation once warm).
void encode_record(const RecordHeader& h, std::string_view body, std::string& out);
// Reads a record; any malformed byte string (wrong magic or version, truncated, a length
// that does not add up, a checksum that does not match, an unknown kind, from > to) is
// an error with code `corruption`.
Result<RecordView> decode_record(std::string_view bytes);

// The Kafka key of the records of an input partition: "<topic>:<partition>".
std::string record_key(std::string_view topic, std::int32_t partition);

// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c(std::string_view data, std::uint32_t crc = 0);

}  // namespace kilter::changelog

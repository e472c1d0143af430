// The portable form of a partition's state (storage/README.md, "Portable
// bodies"): a commit's operations on one partition (a delta) or a run of its
// key/values (a snapshot chunk), with keys WITHOUT the 4-byte partition prefix,
// so they apply to any partition number of any store. The changelog carries
// these bytes opaquely. No RocksDB type here: the fuzz target and tests use it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/codec.h"

namespace kilter::storage::portable {

// Leading byte of a body: its kind and format version.
inline constexpr std::uint8_t kDeltaV1 = 1;
inline constexpr std::uint8_t kChunkV1 = 2;
inline constexpr std::size_t kHeaderBytes = 5;  // format u8, op count u32 (LE)

// Column families as numbered in bodies (part of the format: never renumbered).
enum class Family : std::uint8_t {
  buckets = 1,
  posts = 2,
  post_details = 3,
  seen = 4,
  alerts = 5,
  outbox = 6,
  meta = 7,
  retention = 8,
};
inline constexpr std::uint8_t kFamilies = 9;  // one past the last
enum class OpKind : std::uint8_t { put = 0, merge = 1, del = 2 };

struct Op {
  Family family;
  OpKind kind;
  std::string_view key;    // without the partition prefix
  std::string_view value;  // empty for a delete
};

// Builds one body in a caller's buffer (reused: no allocation once warm).
class BodyBuilder {
 public:
  void begin(std::string& out, std::uint8_t format);
  void add(std::string& out, Family f, OpKind k, std::string_view key, std::string_view value);
  // Writes the op count into the header.
  void finish(std::string& out) const;
  std::uint32_t count() const { return count_; }

 private:
  std::uint32_t count_ = 0;
};

// Parses and checks a body: the header, every op's framing, that the kind is
// allowed for its family (merges only where a merge operator is; a chunk holds
// only puts), that each key has its family's layout and each value decodes with
// the store's own codec. Calls fn for each op, in order, only once the whole
// body checked out. A failure is Errc::corruption, naming the op and why.
// Keeps scratch space across calls.
class BodyReader {
 public:
  template <typename Fn>
  Result<void> read(std::string_view body, std::uint8_t format, Fn&& fn) {
    if (auto r = check(body, format); !r) return r;
    for (const auto& op : ops_) fn(op);
    return ok();
  }
  // Checks only; the ops stay available in ops() until the next call.
  Result<void> check(std::string_view body, std::uint8_t format);
  const std::vector<Op>& ops() const { return ops_; }

 private:
  bool valid_key(Family f, std::string_view key);
  bool valid_value(Family f, OpKind k, std::string_view value);

  std::vector<Op> ops_;
  std::string scratch_;
  codec::Row row_;
  std::vector<SeenId> seen_;
  std::vector<std::string> sinks_;
  PostDetail detail_;
};

}  // namespace kilter::storage::portable

// Messages taken from librdkafka ahead of the event loop, copied into blocks of
// our own. Internal to kafka/.
//
// Why: librdkafka 2.0.2 stops fetching for one whole second as soon as its
// consumer queue holds queued.min.messages (or queued.max.messages.kbytes),
// and one fetch from a busy topic brings more than that. Catching up, the event
// loop then emptied the queue in ~0.4 s and waited the rest of the second:
// ~120k msg/s where the file replay manages ~370k (issue 13, BENCHMARKS.md).
// Moving what librdkafka fetched into this buffer keeps its queue short, so it
// keeps fetching while the buffer has room. A copy holds a message in its key
// and payload, 64 bytes of padding and a 72-byte slot, where librdkafka holds
// its whole fetch response until the last message of it is destroyed.
//
// Invariants: messages leave in the order they came in; what take() handed out
// stays in place (its bytes do not move) until release(); blocks are reused,
// so once warm a message costs no allocation (one larger than a block gets a
// block of its own, freed when released).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace kilter::kafka::detail {

class Prefetch {
 public:
  struct Message {
    Partition partition;
    std::int64_t offset = 0;
    std::int64_t appended_ms = 0;  // Kafka's timestamp; 0: none
    std::string_view key;
    std::string_view payload;
    std::size_t capacity = 0;  // readable bytes from payload.data() (padding included)
  };

  // Bytes readable after each payload (the decoder parses in place when there
  // are at least simdjson's 64).
  static constexpr std::size_t kPadding = 64;
  static constexpr std::size_t kBlockBytes = std::size_t{1} << 20;

  // Holds at most max_bytes of blocks (at least one message, however large).
  explicit Prefetch(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // No room for more: stop taking from librdkafka (its own queue then fills,
  // and it stops fetching).
  bool full() const { return held_bytes_ >= max_bytes_; }
  // Messages not handed out yet.
  std::size_t waiting() const { return count_ - taken_; }
  std::size_t held_bytes() const { return held_bytes_; }
  // Blocks allocated so far (reused blocks are not counted again).
  std::uint64_t allocations() const { return allocations_; }

  void push(Partition p, std::int64_t offset, std::int64_t appended_ms, std::string_view key,
            std::string_view payload);
  // Hands out up to n messages not handed out yet, oldest first; their bytes stay
  // valid until release().
  std::span<const Message> take(std::size_t n);
  // Forgets what take() handed out, and reuses the blocks nothing points into.
  void release();
  // Forgets the messages of partition p not handed out yet (a seek, a partition
  // given up). What take() handed out stays valid until release().
  void drop(Partition p);
  // Forgets every message not handed out yet.
  void clear();

 private:
  struct Block {
    std::unique_ptr<char[]> bytes;
    std::size_t size = 0;
    std::size_t used = 0;
    std::uint64_t id = 0;  // blocks are numbered in order of use
  };
  struct Slot {
    Message m;
    std::uint64_t block = 0;  // the block holding its bytes
  };
  char* room(std::size_t n, std::uint64_t& block);
  void recycle_unused();
  Slot& at(std::size_t i) { return slots_[(head_ + i) & (slots_.size() - 1)]; }
  void grow();

  std::size_t max_bytes_;
  std::vector<Slot> slots_;  // a ring, a power of two long
  std::size_t head_ = 0, count_ = 0, taken_ = 0;
  std::vector<Message> out_;   // what take() returns
  std::vector<Block> blocks_;  // in use, oldest first
  std::vector<Block> spare_;   // free, kBlockBytes each
  std::uint64_t next_block_ = 0;
  std::size_t held_bytes_ = 0;  // blocks in use
  std::uint64_t allocations_ = 0;
};

}  // namespace kilter::kafka::detail

// The source seam: a file replay or a Kafka consumer group. A source hands out
// messages in order per partition, each with its position, and is repositioned
// to the offsets the state store holds (that is what makes a restart exact).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/types.h"

namespace kilter::pipeline {

struct SourceMessage {
  Partition partition;
  Offset offset;  // position of this message
  Offset next;    // position right after it (what is stored once it is processed)
  std::string_view key;
  std::string_view payload;
  // Readable bytes from payload.data(): more than payload.size() lets the
  // decoder parse in place without a copy.
  std::size_t capacity = 0;
  std::string_view topic;
  std::int32_t source_partition = 0;  // the partition as the source numbers it (Kafka's)
  // When the message entered the input (Kafka's timestamp); epoch: unknown.
  TimePoint appended;
};

enum class PollStatus { data, idle, end };

struct Position {
  Partition partition;
  Offset next;  // the next message to read
  // Written with the position (Kafka's offset-commit metadata): the changelog
  // chain head the position is the state of. Empty: the source's own marker.
  std::string metadata;
};

// What the group remembers of a partition when it is assigned: its committed
// offset and the metadata written with it (by whichever member committed it).
struct GroupOffset {
  std::string_view topic;
  std::int32_t source_partition = 0;
  std::optional<Offset> committed;  // nullopt: the group has no offset
  std::string_view metadata;
};

// A partition of the input with what the group remembers of it (standbys
// follow the partitions other members hold).
struct GroupPartition {
  Partition partition;
  std::string topic;
  std::int32_t source_partition = 0;
  std::optional<Offset> committed;
  std::string metadata;
};

struct Assignment {
  // The stored position to continue from; nullopt when no state exists for it.
  std::optional<Offset> stored;
  // The partition's state is being restored (from a changelog): start at the
  // group's committed offset, and fetch nothing until Source::warmed().
  bool warming = false;
};

// Told about partitions arriving and leaving (Kafka group rebalances). Called
// from inside Source::poll(), on the thread that polls.
class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  // `p` is now ours, and `group` is what the group remembers of it.
  virtual Assignment partition_assigned(Partition p, const GroupOffset& group) = 0;
  // `p` had no stored state and starts at `start`: that position is stored
  // before anything read from the partition is counted, so that a crash before
  // its first state batch resumes there (and not at a group offset that this
  // store committed ahead of its state).
  virtual void partition_started(Partition p, Offset start) = 0;
  // These partitions are about to go: write what is pending for them (or give it
  // up when the source refuses the positions) and forget them.
  virtual void partitions_revoked(std::span<const Partition> ps) = 0;
};

// Sources that keep positions of their own (Kafka group offsets) hear about the
// positions about to be stored before the state batch is written. An error
// means "do not write yet": the batch is kept and offered again later.
class Checkpointer {
 public:
  virtual ~Checkpointer() = default;
  virtual Result<void> checkpoint(std::span<const Position> positions) = 0;
};

struct PartitionLag {
  Partition partition;
  std::int32_t source_partition = 0;
  std::string topic;
  std::int64_t lag = -1;  // messages behind the end of the partition; -1 unknown
};

// What became of the bad input a source keeps aside (a dead-letter topic).
struct DeadLetterStats {
  std::uint64_t sent = 0;       // acknowledged by the topic (truncated ones included)
  std::uint64_t truncated = 0;  // ... cut to fit the largest message the topic takes
  std::uint64_t failed = 0;     // attempts refused (each is tried again; offsets wait)
  std::uint64_t pending = 0;    // not acknowledged yet (the offsets past them wait)
};

class Source : public Checkpointer {
 public:
  ~Source() override = default;
  // Partitions this source reads right now (a file is partition 0).
  virtual std::vector<Partition> partitions() const = 0;
  // Continue partition p from offset o (called before the first poll).
  virtual Result<void> seek(Partition p, Offset o) = 0;
  // Appends up to `max` messages to `out`; views stay valid until the next poll.
  virtual Result<PollStatus> poll(std::vector<SourceMessage>& out, std::size_t max) = 0;
  // A short description for logs ("file events.ndjson").
  virtual std::string describe() const = 0;

  // Sources with dynamic partitions call the listener from poll().
  virtual void set_listener(PartitionListener* listener) { (void)listener; }
  // Bad input the source should keep aside (a dead-letter topic). Sources that
  // keep it make it durable before the next checkpoint succeeds.
  virtual void dead_letter(const SourceMessage& m, std::string_view reason) {
    (void)m;
    (void)reason;
  }
  Result<void> checkpoint(std::span<const Position> positions) override {
    (void)positions;
    return ok();
  }
  // How far behind each partition is; empty when the source cannot tell.
  virtual std::vector<PartitionLag> lag() const { return {}; }
  // True once a live source has its first partitions (a file: at once), and
  // while it reaches its input.
  virtual bool ready() const { return true; }
  // Why ready() is false, for /-/ready ("no broker reachable ...").
  virtual std::string unready_reason() const { return {}; }
  // False while a live source cannot reach its input (no Kafka broker answers).
  virtual bool connected() const { return true; }
  virtual DeadLetterStats dead_letter_stats() const { return {}; }
  // While the daemon takes no messages (commits refused, outbox full): stop (or
  // resume) fetching, so that poll() can go on serving the source's events
  // (rebalances, connections) and hands out nothing new. False when the source
  // cannot (a file): it is then not polled meanwhile.
  virtual bool hold(bool on) {
    (void)on;
    return false;
  }
  // A partition assigned as warming has its state: fetch it from `from` (the
  // position its restored state continues from).
  virtual void warmed(Partition p, Offset from) {
    (void)p;
    (void)from;
  }
  // Every partition of the input with the group's committed offset and
  // metadata (empty when the source has no group, or cannot tell now).
  virtual std::vector<GroupPartition> group_offsets() { return {}; }
  // Leaves the input for good (a consumer leaves its group, which revokes its
  // partitions through the listener first). Idempotent.
  virtual void close() {}
  // True when the source keeps going after its input is exhausted (Kafka):
  // quiet partitions are then evaluated on wall-clock time.
  virtual bool live() const { return false; }
};

}  // namespace kilter::pipeline

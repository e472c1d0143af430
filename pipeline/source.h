// The source seam: file replay now, Kafka next. A source hands out messages in
// order per partition, each with its position, and can be repositioned to the
// offsets the state store holds (that is what makes a restart exact).
#pragma once

#include <span>
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
};

enum class PollStatus { data, idle, end };

class Source {
 public:
  virtual ~Source() = default;
  // Partitions this source reads right now (a file is partition 0).
  virtual std::vector<Partition> partitions() const = 0;
  // Continue partition p from offset o (called before the first poll).
  virtual Result<void> seek(Partition p, Offset o) = 0;
  // Appends up to `max` messages to `out`; views stay valid until the next poll.
  virtual Result<PollStatus> poll(std::vector<SourceMessage>& out, std::size_t max) = 0;
  // A short description for logs ("file events.ndjson").
  virtual std::string describe() const = 0;
};

}  // namespace kilter::pipeline

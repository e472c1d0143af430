#pragma once

#include <memory>
#include <string>

#include "pipeline/source.h"

namespace kilter::pipeline {

// Replays an NDJSON file ("-" = stdin) as partition 0; offsets are byte offsets.
// Lines longer than max_line_bytes are handed out truncated to max_line_bytes + 1
// bytes, so the decoder rejects them as oversized without the source buffering them.
Result<std::unique_ptr<Source>> open_file_source(const std::string& path,
                                                 std::size_t max_line_bytes);

}  // namespace kilter::pipeline

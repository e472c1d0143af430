#pragma once

#include <memory>
#include <string>

#include "pipeline/ingest/source.h"

namespace kilter::pipeline {

// Replays an NDJSON file ("-" = stdin) as partition 0; offsets are byte offsets.
// Lines longer than max_line_bytes are handed out truncated to max_line_bytes + 1
// bytes, so the decoder rejects them as oversized without the source buffering them.
// `buffer_bytes` (0: 4 MiB) sizes the read buffer; it is raised to what two lines
// at the limit need (tests use small buffers to try every alignment).
Result<std::unique_ptr<Source>> open_file_source(const std::string& path,
                                                 std::size_t max_line_bytes,
                                                 std::size_t buffer_bytes = 0);

}  // namespace kilter::pipeline

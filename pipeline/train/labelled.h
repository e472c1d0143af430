// Labelled post events (NDJSON) -> LabelledPost, read as `kilterd classify --eval`
// reads them: one event per line, the label in a field of its own (default
// `category`, falling back to `expected`), lines that are not labelled posts skipped
// with their line number.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {

struct LabelledReadOptions {
  std::string label = "category";
  bool fallback_expected = true;  // no `label` field: use `expected`
  std::size_t max_event_bytes = 1 << 20;
  // The account's brand terms, normalised; none when empty.
  std::function<std::vector<std::string>(std::string_view account)> brand_terms;
};

struct LabelledRead {
  std::vector<LabelledPost> posts;
  std::vector<std::string> skipped;  // "line N: skipped: reason"
};

// Errors: the file is missing, a directory or unreadable.
Result<LabelledRead> read_labelled(const std::string& path, const LabelledReadOptions& opts);

}  // namespace kilter::pipeline

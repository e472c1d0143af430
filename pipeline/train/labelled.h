// Labelled post events (NDJSON) -> LabelledPost, read as `kilterd classify --eval`
// reads them: one event per line, the label in a field of its own (default
// `category`, falling back to `expected`), lines that are not labelled posts skipped
// with their line number.
#pragma once

#include <cstddef>
#include <fstream>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pipeline/train/train.h"

namespace kilter::pipeline {

struct LabelledReadOptions {
  std::string label = "category";
  bool fallback_expected = true;  // no `label` field: use `expected`
  std::string group;              // a field to report with each post (--by); empty: none
  std::size_t max_event_bytes = 1 << 20;
  // The account's brand terms, normalised; none when empty.
  std::function<std::vector<std::string>(std::string_view account)> brand_terms;
};

struct LabelledRead {
  std::vector<LabelledPost> posts;
  std::vector<std::string> skipped;  // "line N: skipped: reason"
};

// One labelled post as it is read: the event (its `category` cleared: the label is
// checked, never trusted), its label and the value of the `group` field if any. The
// views die with the next line.
struct LabelledLine {
  const Event& post;
  Category label;
  std::optional<std::string_view> group;
};

// The file, opened for for_each_labelled. Errors: missing, a directory, unreadable.
Result<std::ifstream> open_labelled(const std::string& path);

// The one reading loop of labelled posts (`kilterd classify --eval`, `kilterd train`):
// calls `post` for each labelled post of `in`, in order, and `skipped` with
// "line N: skipped: reason" for each line that is not one, as it comes. Errors: `in`
// fails mid-file (`path` names it).
Result<void> for_each_labelled(std::istream& in, const std::string& path,
                               const LabelledReadOptions& opts,
                               const std::function<void(const LabelledLine&)>& post,
                               const std::function<void(std::string)>& skipped);

// Every labelled post of the file, owned, with the account's brand terms
// (opts.brand_terms). Errors: those of open_labelled and for_each_labelled.
Result<LabelledRead> read_labelled(const std::string& path, const LabelledReadOptions& opts);

}  // namespace kilter::pipeline

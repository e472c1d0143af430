#include "pipeline/train/labelled.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "common/json.h"
#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/fields.h"

namespace kilter::pipeline {

Result<std::ifstream> open_labelled(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{fmt::format("{}: is a directory", path)};
  std::ifstream in(path);
  if (!in) return Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  return in;
}

Result<void> for_each_labelled(std::istream& in, const std::string& path,
                               const LabelledReadOptions& opts,
                               const std::function<void(const LabelledLine&)>& post,
                               const std::function<void(std::string)>& skipped) {
  // names: the label, then the fallback label (`expected`) and the group field if wanted.
  const bool fallback = opts.fallback_expected && opts.label != "expected";
  std::vector<std::string_view> names = {opts.label};
  const std::size_t no = SIZE_MAX;
  const std::size_t fallback_at = fallback ? names.size() : no;
  if (fallback) names.push_back("expected");
  const std::size_t group_at = opts.group.empty() ? no : names.size();
  if (!opts.group.empty()) names.push_back(opts.group);
  std::vector<std::optional<std::string>> values(names.size());

  Decoder decoder(opts.max_event_bytes);
  std::string line;
  std::size_t lineno = 0;
  auto skip = [&](std::string_view reason) {
    skipped(fmt::format("line {}: skipped: {}", lineno, reason));
  };
  while (std::getline(in, line)) {
    ++lineno;
    Event ev;
    auto r = decoder.decode(line, ev);
    if (!r.ok) {
      skip(fmt::format("bad input: {}{}{}", to_string(r.reason), r.field.empty() ? "" : " ",
                       r.field));
      continue;
    }
    if (ev.type != EventType::post) {
      skip("not a post");
      continue;
    }
    read_string_fields(line, names, values);
    const auto& raw = values[0] || fallback_at == no ? values[0] : values[fallback_at];
    if (!raw) {
      skip(fmt::format("no label (field {}{})", opts.label, fallback ? " or expected" : ""));
      continue;
    }
    auto label = parse_category(*raw);  // knows only the three classes
    if (!label) {
      skip(fmt::format("label {} is not personal, professional or promotional", json::quote(*raw)));
      continue;
    }
    ev.category.reset();
    std::optional<std::string_view> group;
    if (group_at != no && values[group_at]) group = *values[group_at];
    post(LabelledLine{ev, *label, group});
  }
  if (in.bad())
    return Error{fmt::format("error reading {}: {}", path, std::strerror(errno)), Errc::io};
  return ok();
}

Result<LabelledRead> read_labelled(const std::string& path, const LabelledReadOptions& opts) {
  auto in = open_labelled(path);
  if (!in) return in.error();
  LabelledRead out;
  auto r = for_each_labelled(
      *in, path, opts,
      [&](const LabelledLine& l) {
        std::vector<std::string> terms;
        if (opts.brand_terms) terms = opts.brand_terms(l.post.account);
        out.posts.push_back(LabelledPost::from(l.post, l.label, std::move(terms)));
      },
      [&](std::string s) { out.skipped.push_back(std::move(s)); });
  if (!r) return r.error();
  return out;
}

}  // namespace kilter::pipeline

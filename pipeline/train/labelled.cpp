#include "pipeline/train/labelled.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/fields.h"

namespace kilter::pipeline {

Result<LabelledRead> read_labelled(const std::string& path, const LabelledReadOptions& opts) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{fmt::format("{}: is a directory", path)};
  std::ifstream in(path);
  if (!in) return Error{fmt::format("cannot read {}: {}", path, std::strerror(errno))};
  const bool fallback = opts.fallback_expected && opts.label != "expected";
  std::vector<std::string_view> names = {opts.label};
  if (fallback) names.push_back("expected");
  std::vector<std::optional<std::string>> values(names.size());

  Decoder decoder(opts.max_event_bytes);
  LabelledRead out;
  std::string line;
  std::size_t lineno = 0;
  auto skip = [&](std::string_view reason) {
    out.skipped.push_back(fmt::format("line {}: skipped: {}", lineno, reason));
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
    const auto& raw = values[0] || !fallback ? values[0] : values[1];
    if (!raw) {
      skip(fmt::format("no label (field {}{})", opts.label, fallback ? " or expected" : ""));
      continue;
    }
    auto label = parse_category(*raw);
    if (!label) {
      skip(fmt::format("label \"{}\" is not personal, professional or promotional", *raw));
      continue;
    }
    std::vector<std::string> terms;
    if (opts.brand_terms) terms = opts.brand_terms(ev.account);
    out.posts.push_back(LabelledPost::from(ev, *label, std::move(terms)));
  }
  if (in.bad())
    return Error{fmt::format("error reading {}: {}", path, std::strerror(errno)), Errc::io};
  return out;
}

}  // namespace kilter::pipeline

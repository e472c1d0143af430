// Entry points: read the file, parse the YAML, walk the sections, check what
// spans them, and make paths absolute. Every problem becomes a ConfigError;
// nothing throws past this file.
#include "config/loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/reader.h"

namespace kilter::config {
namespace {

namespace fs = std::filesystem;
using detail::Field;
using detail::Reader;

constexpr std::string_view kTopKeys[] = {"source",     "kafka",    "storage",  "pipeline",
                                         "classifier", "profiles", "accounts", "default_profile",
                                         "sinks",      "outbox",   "routes",   "default_sinks",
                                         "inhibit",    "mute",     "http",     "log",
                                         "digests"};

std::string absolute_under(const fs::path& base, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  if (path.is_relative()) path = base / path;
  return path.lexically_normal().string();
}

void resolve_paths(Config& c, const fs::path& base) {
  c.storage.path = absolute_under(base, c.storage.path);
  if (c.source && c.source->path != "-") c.source->path = absolute_under(base, c.source->path);
  for (auto& s : c.sinks)
    if (auto* file = std::get_if<FileSinkOptions>(&s.options))
      file->path = absolute_under(base, file->path);
  for (auto& l : c.classifier.extra_lexicons) l = absolute_under(base, l);
  if (!c.classifier.model.empty()) c.classifier.model = absolute_under(base, c.classifier.model);
}

void read_document(Reader& r, const YAML::Node& doc, Config& c) {
  auto m = r.map(Reader::root(doc), kTopKeys);
  if (!m) return;
  // Sections are read in dependency order, not file order: rules need the bucket,
  // accounts need the profiles, kafka sinks need the kafka section.
  if (const auto* f = m->get("storage")) detail::read_storage(r, *f, c);
  if (const auto* f = m->get("pipeline")) detail::read_pipeline(r, *f, c);
  if (const auto* f = m->get("classifier")) detail::read_classifier(r, *f, c);
  if (const auto* f = m->get("kafka")) detail::read_kafka(r, *f, c);
  if (const auto* f = m->get("source")) detail::read_source(r, *f, c);
  detail::RulePaths rule_paths;
  const auto* profiles = m->get("profiles");
  if (profiles)
    detail::read_profiles(r, *profiles, c, rule_paths);
  else
    c.profiles = builtin_profiles();
  if (const auto* f = m->get("default_profile")) r.string(*f, c.default_profile);
  if (const auto* f = m->get("accounts")) detail::read_accounts(r, *f, c);
  if (const auto* f = m->get("sinks")) {
    detail::read_sinks(r, *f, c);
  } else {
    c.sinks = {SinkConfig{}};
    c.sinks.back().name = "log";
  }
  if (const auto* f = m->get("outbox")) detail::read_outbox(r, *f, c);
  if (const auto* f = m->get("routes")) detail::read_routes(r, *f, c);
  if (const auto* f = m->get("default_sinks")) detail::read_default_sinks(r, *f, c);
  if (const auto* f = m->get("inhibit")) detail::read_inhibit(r, *f, c);
  if (const auto* f = m->get("mute")) detail::read_mute(r, *f, c);
  detail::check_sink_references(r, c);
  if (const auto* f = m->get("digests")) detail::read_digests(r, *f, c);
  if (const auto* f = m->get("http")) detail::read_http(r, *f, c);
  if (const auto* f = m->get("log")) detail::read_log(r, *f, c);
  detail::validate(r, c, profiles ? &rule_paths : nullptr);
}

}  // namespace

std::string ConfigError::to_string() const {
  std::string out = file;
  if (line > 0) out += fmt::format(":{}:{}", line, column);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += message;
  return out;
}

LoadResult load_string(const std::string& yaml, const std::string& file,
                       const std::string& base_dir) {
  LoadResult out;
  try {
    YAML::Node doc;
    try {
      doc = YAML::Load(yaml);
    } catch (const YAML::Exception& e) {
      int line = e.mark.is_null() ? 0 : e.mark.line + 1;
      int column = e.mark.is_null() ? 0 : e.mark.column + 1;
      out.errors.push_back({file, line, column, "", "YAML syntax error: " + e.msg});
      return out;
    }
    Config c;
    c.file = file;
    Reader r(file, out.errors, base_dir);
    read_document(r, doc, c);
    c.expansions = r.expansions();
    if (out.errors.empty()) {
      std::error_code ec;
      fs::path base = base_dir.empty() ? fs::current_path(ec) : fs::absolute(base_dir, ec);
      if (ec) {
        out.errors.push_back({file, 0, 0, "",
                              fmt::format("cannot resolve relative paths against "
                                          "'{}': {}",
                                          base_dir, ec.message())});
      } else {
        resolve_paths(c, base);
        out.config = std::move(c);
      }
    }
  } catch (const std::exception& e) {
    out.errors.push_back(
        {file, 0, 0, "", fmt::format("cannot read the configuration: {}", e.what())});
  }
  // Sections are read in dependency order; report in file order, file-wide last.
  std::stable_sort(out.errors.begin(), out.errors.end(),
                   [](const ConfigError& a, const ConfigError& b) {
                     auto rank = [](const ConfigError& e) {
                       return std::make_tuple(e.line == 0, e.line, e.column);
                     };
                     return rank(a) < rank(b);
                   });
  if (!out.errors.empty()) out.config.reset();
  return out;
}

LoadResult load_file(const std::string& path) {
  LoadResult out;
  auto fail = [&](std::string message) {
    out.errors.push_back({path, 0, 0, "", std::move(message)});
    return out;
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fail("cannot read: is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(fmt::format("cannot read: {}", std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return fail("cannot read: I/O error");
  fs::path base = fs::absolute(fs::path(path), ec).parent_path();
  if (ec) return fail(fmt::format("cannot resolve the config file's directory: {}", ec.message()));
  return load_string(text.str(), path, base.string());
}

}  // namespace kilter::config

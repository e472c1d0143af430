#include "config/reader.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/time.h"

namespace kilter::config::detail {
namespace {

Loc to_loc(const YAML::Mark& m) {
  if (m.is_null() || m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

// A block mapping or list starts on the line after its key, and a null value has
// no useful position of its own: report those at the key.
Loc value_loc(const YAML::Node& key, const YAML::Node& value) {
  if (value.IsScalar()) return to_loc(value.Mark());
  return to_loc(key.Mark());
}

bool valid_var_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::optional<double> parse_number(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_count(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const Field* FieldMap::get(std::string_view key) const {
  for (const auto& f : fields_)
    if (f.key == key) return &f;
  return nullptr;
}

std::string Scalar::shown() const {
  if (from_env) return "'" + raw + "'";
  if (text.empty()) return "nothing";
  return "'" + text + "'";
}

std::string join_keys(Keys keys) {
  std::string out;
  for (auto k : keys) {
    if (!out.empty()) out += ", ";
    out += k;
  }
  return out;
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return fmt::format("{}.{}", parent, key);
}

std::string index_path(std::string_view parent, std::size_t i) {
  return fmt::format("{}[{}]", parent, i);
}

void Reader::error(Loc loc, std::string key, std::string message) {
  errors_.push_back(ConfigError{file_, loc.line, loc.column, std::move(key), std::move(message)});
}

Loc Reader::where(std::string_view path) const {
  std::string p(path);
  while (!p.empty()) {
    if (auto it = marks_.find(p); it != marks_.end()) return it->second;
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  return {};
}

void Reader::remember(const Field& f) {
  marks_[f.path] = f.loc;
}

Field Reader::root(const YAML::Node& node) {
  Loc loc = to_loc(node.Mark());
  if (loc.line == 0) loc = {1, 1};
  return Field{node, loc, "", "", loc};
}

std::optional<FieldMap> Reader::map(const Field& f, Keys allowed) {
  FieldMap m;
  if (!f.node.IsDefined() || f.node.IsNull()) return m;
  if (!f.node.IsMap()) {
    error(f, f.node.IsSequence() ? "expected a mapping (key: value), not a list"
                                 : "expected a mapping (key: value)");
    return std::nullopt;
  }
  std::map<std::string, int> first_line;
  for (auto it = f.node.begin(); it != f.node.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: it->first lives in a temporary
    Loc key_loc = to_loc(k.Mark());
    if (!k.IsScalar()) {
      error(key_loc, f.path, "keys must be plain strings");
      continue;
    }
    const std::string& key = k.Scalar();
    std::string path = child_path(f.path, key);
    if (auto [pos, fresh] = first_line.emplace(key, key_loc.line); !fresh) {
      error(key_loc, path,
            fmt::format("duplicate key '{}' (first written at line {})", key, pos->second));
      continue;
    }
    m.mutable_all().push_back(Field{it->second, value_loc(k, it->second), path, key, key_loc});
    remember(m.all().back());
  }
  if (!allowed.empty()) reject_unknown(m, allowed);
  return m;
}

void Reader::reject_unknown(const FieldMap& m, Keys allowed) {
  for (const auto& f : m.all()) {
    bool known = false;
    for (auto a : allowed) known = known || a == f.key;
    if (!known) {
      error(f.key_loc, f.path,
            fmt::format("unknown key '{}'; allowed keys: {}", f.key, join_keys(allowed)));
    }
  }
}

std::optional<std::vector<Field>> Reader::list(const Field& f) {
  std::vector<Field> items;
  if (!f.node.IsDefined() || f.node.IsNull()) return items;
  if (!f.node.IsSequence()) {
    error(f, "expected a list");
    return std::nullopt;
  }
  std::size_t i = 0;
  for (const auto& item : f.node) {
    Loc loc = to_loc(item.Mark());
    if (loc.line == 0 || item.IsNull()) loc = f.loc;
    items.push_back(Field{item, loc, index_path(f.path, i++), "", loc});
    remember(items.back());
  }
  return items;
}

std::optional<std::string> Reader::expand(const Field& f, std::string_view raw, bool& from_env) {
  std::string out;
  out.reserve(raw.size());
  bool ok = true;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '$' || i + 1 >= raw.size() || (raw[i + 1] != '$' && raw[i + 1] != '{')) {
      out += c;  // a lone '$' is literal: passwords may hold one
      continue;
    }
    if (raw[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    auto close = raw.find('}', i + 2);
    if (close == std::string_view::npos) {
      error(f, "unterminated ${ (write $$ for a literal $)");
      return std::nullopt;
    }
    std::string name(raw.substr(i + 2, close - i - 2));
    i = close;
    if (!valid_var_name(name)) {
      error(f, fmt::format("invalid environment variable name in ${{{}}}", name));
      ok = false;
      continue;
    }
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      error(f, fmt::format("environment variable {} is not set", name));
      ok = false;
      continue;
    }
    out += value;
    if (*value != '\0') expansions_.emplace(value, "${" + name + "}");
    from_env = true;
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<Scalar> Reader::scalar(const Field& f) {
  if (f.node.IsMap() || f.node.IsSequence()) {
    error(f, f.node.IsMap() ? "expected a single value, not a mapping"
                            : "expected a single value, not a list");
    return std::nullopt;
  }
  Scalar s;
  if (!f.node.IsDefined() || f.node.IsNull()) return s;
  s.raw = f.node.Scalar();
  auto text = expand(f, s.raw, s.from_env);
  if (!text) return std::nullopt;
  s.text = std::move(*text);
  return s;
}

bool Reader::string(const Field& f, std::string& out) {
  auto s = scalar(f);
  if (!s) return false;
  out = std::move(s->text);
  return true;
}

bool Reader::nonempty_string(const Field& f, std::string& out) {
  auto s = scalar(f);
  if (!s) return false;
  if (s->text.empty()) {
    error(f, "must not be empty");
    return false;
  }
  out = std::move(s->text);
  return true;
}

bool Reader::duration(const Field& f, Millis& out) {
  auto s = scalar(f);
  if (!s) return false;
  auto d = parse_duration(s->text);
  if (!d) {
    error(f, fmt::format("expected a duration like 30s, 1h, 7d (got {})", s->shown()));
    return false;
  }
  out = *d;
  return true;
}

bool Reader::positive_duration(const Field& f, Millis& out) {
  Millis d{};
  if (!duration(f, d)) return false;
  if (d.count() <= 0) {
    error(f, "must be longer than 0");
    return false;
  }
  out = d;
  return true;
}

bool Reader::number(const Field& f, double& out) {
  auto s = scalar(f);
  if (!s) return false;
  auto v = parse_number(s->text);
  if (!v) {
    error(f, fmt::format("expected a number (got {})", s->shown()));
    return false;
  }
  out = *v;
  return true;
}

bool Reader::count(const Field& f, std::uint64_t& out) {
  auto s = scalar(f);
  if (!s) return false;
  auto v = parse_count(s->text);
  if (!v) {
    error(f, fmt::format("expected a whole number >= 0 (got {})", s->shown()));
    return false;
  }
  out = *v;
  return true;
}

bool Reader::positive_count(const Field& f, std::uint64_t& out) {
  std::uint64_t v = 0;
  if (!count(f, v)) return false;
  if (v == 0) {
    error(f, "must be at least 1");
    return false;
  }
  out = v;
  return true;
}

bool Reader::choice(const Field& f, Keys choices, std::string& out) {
  auto s = scalar(f);
  if (!s) return false;
  for (auto c : choices) {
    if (c == s->text) {
      out = std::move(s->text);
      return true;
    }
  }
  error(f, fmt::format("expected one of {} (got {})", join_keys(choices), s->shown()));
  return false;
}

bool Reader::string_list(const Field& f, std::vector<std::string>& out) {
  auto items = list(f);
  if (!items) return false;
  std::vector<std::string> values;
  bool ok = true;
  for (const auto& item : *items) {
    std::string v;
    if (nonempty_string(item, v))
      values.push_back(std::move(v));
    else
      ok = false;
  }
  if (ok) out = std::move(values);
  return ok;
}

}  // namespace kilter::config::detail

namespace kilter::config::detail {

bool Reader::time(const Field& f, TimePoint& out) {
  auto s = scalar(f);
  if (!s) return false;
  auto t = parse_rfc3339(s->text);
  if (!t) {
    error(f,
          fmt::format("expected an RFC 3339 time like 2026-11-20T09:00:00Z (got {})", s->shown()));
    return false;
  }
  out = *t;
  return true;
}

bool Reader::file_contents(const Field& f, std::string& out) {
  std::string name;
  if (!nonempty_string(f, name)) return false;
  std::filesystem::path path(name);
  if (path.is_relative() && !base_dir_.empty()) path = std::filesystem::path(base_dir_) / path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error(f, fmt::format("cannot read {}", path.string()));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string v = text.str();
  while (!v.empty() &&
         (v.back() == '\n' || v.back() == '\r' || v.back() == ' ' || v.back() == '\t'))
    v.pop_back();
  if (v.empty()) {
    error(f, fmt::format("{} is empty", path.string()));
    return false;
  }
  out = std::move(v);
  return true;
}

bool Reader::string_map(const Field& f, std::map<std::string, std::string>& out) {
  auto m = map(f, {});
  if (!m) return false;
  bool ok = true;
  for (const auto& e : m->all()) {
    std::string v;
    if (string(e, v))
      out[e.key] = std::move(v);
    else
      ok = false;
  }
  return ok;
}

}  // namespace kilter::config::detail

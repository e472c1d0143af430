// Internal to config/: a YAML walker that turns every problem into a ConfigError
// (with file, line, column and dotted key path) instead of stopping at the first
// one, expands ${VAR} per scalar, and remembers where each key was written so
// that cross-field checks can point at the right line.
#pragma once

// GCC 12 reports false dangling-pointer warnings inside yaml-cpp's inlined Node
// code at -O2 and above; they concern that header, not this module.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.h"

namespace kilter::config::detail {

struct Loc {
  int line = 0;  // 1-based; 0 = unknown
  int column = 0;
};

// One value in the document: the node, where to report it, and its key path.
struct Field {
  YAML::Node node;
  Loc loc;
  std::string path;  // "profiles.brand.rules[0].window"
  std::string key;   // last map key ("window"); empty for list items and the root
  Loc key_loc;       // where the key itself is (the item, for list items)
};

// A mapping's entries in file order, duplicates and unknown keys already reported.
class FieldMap {
 public:
  const Field* get(std::string_view key) const;
  const std::vector<Field>& all() const { return fields_; }
  std::vector<Field>& mutable_all() { return fields_; }

 private:
  std::vector<Field> fields_;
};

// A scalar after ${VAR} expansion. `raw` is the text as written: it is what error
// messages show, because an expanded value may be a secret.
struct Scalar {
  std::string text;
  std::string raw;
  bool from_env = false;
  std::string shown() const;  // "'text'", or the raw text when it came from the environment
};

using Keys = std::span<const std::string_view>;

class Reader {
 public:
  Reader(std::string file, std::vector<ConfigError>& errors, std::string base_dir = {})
      : file_(std::move(file)), errors_(errors), base_dir_(std::move(base_dir)) {}

  void error(Loc loc, std::string key, std::string message);
  void error(const Field& f, std::string message) { error(f.loc, f.path, std::move(message)); }
  std::size_t error_count() const { return errors_.size(); }
  // Every non-empty value a ${VAR} expanded to -> "${VAR}".
  const std::map<std::string, std::string>& expansions() const { return expansions_; }

  // Where `path` (or its nearest recorded ancestor) was written.
  Loc where(std::string_view path) const;
  bool written(std::string_view path) const { return marks_.count(std::string(path)) > 0; }

  static Field root(const YAML::Node& node);
  // A mapping (null counts as empty). `allowed` empty: any key is accepted.
  std::optional<FieldMap> map(const Field& f, Keys allowed);
  // Reports the keys of `m` not in `allowed`.
  void reject_unknown(const FieldMap& m, Keys allowed);
  // A sequence (null counts as empty); items carry "path[i]".
  std::optional<std::vector<Field>> list(const Field& f);

  // Scalars. Each returns false (after reporting) when the value does not fit,
  // and leaves `out` untouched then.
  std::optional<Scalar> scalar(const Field& f);
  bool string(const Field& f, std::string& out);
  bool nonempty_string(const Field& f, std::string& out);
  bool duration(const Field& f, Millis& out);
  bool positive_duration(const Field& f, Millis& out);
  bool number(const Field& f, double& out);
  bool count(const Field& f, std::uint64_t& out);
  bool positive_count(const Field& f, std::uint64_t& out);
  // One of `choices`.
  bool choice(const Field& f, Keys choices, std::string& out);
  // A list of non-empty strings.
  bool string_list(const Field& f, std::vector<std::string>& out);
  // An RFC 3339 time.
  bool time(const Field& f, TimePoint& out);
  // The contents of the file the field names (relative to the config's directory),
  // trailing whitespace removed: for secrets kept out of the config. Messages name
  // the file, never its contents.
  bool file_contents(const Field& f, std::string& out);
  // A mapping of strings to strings (headers, labels).
  bool string_map(const Field& f, std::map<std::string, std::string>& out);

 private:
  std::optional<std::string> expand(const Field& f, std::string_view raw, bool& from_env);
  void remember(const Field& f);

  std::string file_;
  std::vector<ConfigError>& errors_;
  std::string base_dir_;
  std::map<std::string, Loc, std::less<>> marks_;
  std::map<std::string, std::string> expansions_;
};

std::string join_keys(Keys keys);
std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t i);

// Sections (schema.cpp, profiles.cpp). Each fills its part of `c`.
void read_source(Reader& r, const Field& f, Config& c);
void read_kafka(Reader& r, const Field& f, Config& c);
void read_storage(Reader& r, const Field& f, Config& c);
void read_pipeline(Reader& r, const Field& f, Config& c);
void read_classifier(Reader& r, const Field& f, Config& c);
void read_sinks(Reader& r, const Field& f, Config& c);
void read_http(Reader& r, const Field& f, Config& c);
void read_log(Reader& r, const Field& f, Config& c);
// Delivery (sinks.cpp, routing.cpp).
void read_outbox(Reader& r, const Field& f, Config& c);
void read_routes(Reader& r, const Field& f, Config& c);
void read_default_sinks(Reader& r, const Field& f, Config& c);
void read_inhibit(Reader& r, const Field& f, Config& c);
void read_mute(Reader& r, const Field& f, Config& c);
// An alert matcher (account glob, profile, rule, metric, severity).
bool read_matcher(Reader& r, const Field& f, const Config& c, AlertMatcher& m);
bool read_limits(Reader& r, const Field& f, Limits& out);
bool read_campaign_period(Reader& r, const FieldMap& m, const Field& item, Campaign& out);
// An IANA time zone name that the system's tz database knows (digests.cpp).
bool read_timezone(Reader& r, const Field& f, std::string& out);
// The digests (digests.cpp): after sinks, profiles and accounts, whose names
// they refer to; checks every zone in use against storage.bucket.
void read_digests(Reader& r, const Field& f, Config& c);
// Sink names in routes and default_sinks exist.
void check_sink_references(Reader& r, const Config& c);
// Where each kept rule was written: (profile, index in Profile::rules) -> key path.
using RulePaths = std::map<std::pair<std::string, std::size_t>, std::string>;
void read_profiles(Reader& r, const Field& f, Config& c, RulePaths& paths);
void read_accounts(Reader& r, const Field& f, Config& c);

// Checks that span sections (validate.cpp); `rule_paths` is null when the
// profiles are the built-in ones.
void validate(Reader& r, const Config& c, const RulePaths* rule_paths);

}  // namespace kilter::config::detail

// Checks that need more than one section: rule windows against the storage
// bucket and retention, profile references, and the presence of an input.
#include <fmt/format.h>

#include "common/time.h"
#include "config/reader.h"

namespace kilter::config::detail {
namespace {

struct Longest {
  Millis span{0};
  std::string path;  // the rule's key path
  std::string what;  // "rule 'x' of profile 'p' (window 7d + baseline 28d)"
};

std::string rule_desc(const std::string& profile, const Rule& rule) {
  std::string spans = rule.window_text;
  if (rule.baseline)
    spans = fmt::format("{} + baseline {}", spans, format_duration(*rule.baseline));
  return fmt::format("rule '{}' of profile '{}' (window {})", rule.name, profile, spans);
}

void check_bucket_multiple(Reader& r, Millis bucket, const std::string& profile, const Rule& rule,
                           const std::string* path, std::string_view key, Millis value) {
  if (value.count() % bucket.count() == 0) return;
  auto text = key == "window" ? rule.window_text : format_duration(value);
  if (path != nullptr) {
    auto key_path = child_path(*path, key);
    r.error(r.where(key_path), key_path,
            fmt::format("{} {} is not a multiple of storage.bucket ({})", key, text,
                        format_duration(bucket)));
    return;
  }
  r.error(r.where("storage.bucket"), "storage.bucket",
          fmt::format("the built-in rule '{}' of profile '{}' has {} {}, which is not a multiple "
                      "of the bucket {}: pick a bucket that divides it, or write profiles",
                      rule.name, profile, key, text, format_duration(bucket)));
}

}  // namespace

void validate(Reader& r, const Config& c, const RulePaths* rule_paths) {
  if (!c.source && !c.kafka) r.error(Loc{}, "", "no input: set source.file or kafka");

  const Millis bucket = c.storage.bucket;
  Longest longest;
  for (const auto& [name, profile] : c.profiles) {
    for (std::size_t i = 0; i < profile.rules.size(); ++i) {
      const Rule& rule = profile.rules[i];
      const std::string* path = nullptr;
      std::string builtin_path = index_path(child_path(child_path("profiles", name), "rules"), i);
      if (rule_paths != nullptr) {
        auto it = rule_paths->find({name, i});
        if (it != rule_paths->end()) path = &it->second;
      }
      if (bucket.count() > 0) {
        check_bucket_multiple(r, bucket, name, rule, path, "window", rule.window);
        if (rule.baseline)
          check_bucket_multiple(r, bucket, name, rule, path, "baseline", *rule.baseline);
      }
      Millis span = rule.window + rule.baseline.value_or(Millis{0});
      if (span > longest.span)
        longest = Longest{span, path ? *path : builtin_path, rule_desc(name, rule)};
    }
  }
  if (longest.span > c.storage.retention) {
    auto msg = fmt::format(
        "storage.retention ({}) is shorter than {}: windows cannot reach past "
        "the retention; raise storage.retention to at least {}",
        format_duration(c.storage.retention), longest.what, format_duration(longest.span));
    if (r.written("storage.retention"))
      r.error(r.where("storage.retention"), "storage.retention", std::move(msg));
    else
      r.error(r.where(child_path(longest.path, "window")), child_path(longest.path, "window"),
              std::move(msg));
  }

  if (!c.default_profile.empty() && !c.profiles.count(c.default_profile)) {
    std::vector<std::string_view> names;
    for (const auto& [name, _] : c.profiles) names.push_back(name);
    bool written = r.written("default_profile");
    r.error(r.where(written ? "default_profile" : "profiles"), "default_profile",
            fmt::format("{}'{}' is not a defined profile (defined: {}); name one of them, or set "
                        "default_profile: \"\" to leave unmatched accounts unevaluated",
                        written ? "" : "the default ", c.default_profile,
                        names.empty() ? "none" : join_keys(names)));
  }
}

}  // namespace kilter::config::detail

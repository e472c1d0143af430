#pragma once

#include <string>
#include <vector>

#include "config/config.h"

namespace kilter::config {

struct ConfigError {
  std::string file;
  int line = 0;     // 1-based; 0 when unknown
  int column = 0;   // 1-based; 0 when unknown
  std::string key;  // dotted path, e.g. "profiles.brand.rules[0].window"
  std::string message;
  std::string to_string() const;  // "file:line:col: key: message"
};

struct LoadResult {
  std::optional<Config> config;     // set when errors is empty
  std::vector<ConfigError> errors;  // every error found, not only the first
};

// Reads, expands ${VAR} from the environment, parses and validates.
LoadResult load_file(const std::string& path);
// Same from text (file is only used in messages; relative paths resolve against base_dir).
LoadResult load_string(const std::string& yaml, const std::string& file,
                       const std::string& base_dir);

}  // namespace kilter::config

// Test support shared by the test binaries (header-only): the YAML snippets the
// documentation carries, and a base configuration the routing tests extend.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <string>

namespace kilter::test_support {

// The YAML between `<!-- NAME:begin -->` and `<!-- NAME:end -->` in a document of
// the source tree (KILTER_SOURCE_DIR), so that a test loads what the docs show.
inline std::string documented(const std::string& doc, const std::string& name) {
  std::ifstream in(std::string(KILTER_SOURCE_DIR) + "/" + doc);
  EXPECT_TRUE(in) << doc;
  std::string line, yaml;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "<!-- " + name + ":begin -->")
      inside = true;
    else if (line == "<!-- " + name + ":end -->")
      inside = false;
    else if (inside && !line.starts_with("```"))
      yaml += line + "\n";
  }
  EXPECT_FALSE(yaml.empty()) << name << " in " << doc;
  return yaml;
}

// Two profiles and three sinks: what the routing tests add routes, mute windows
// and inhibitions to.
inline constexpr const char* kRoutingBase = R"(source: {file: e.ndjson}
profiles:
  brand:
    rules:
      - {name: gone-silent, metric: posts, window: 1d, min: 1}
      - {name: engagement-drop, metric: engagement_change, window: 1d, baseline: 7d, min: -0.5}
      - {name: too-pushy, metric: promotional_share, window: 7d, max: 0.4, severity: critical}
  voice:
    rules:
      - {name: show-the-person, metric: personal_share, window: 7d, min: 0.2}
sinks:
  - {type: file, path: all.ndjson}
  - {type: slack, name: brand-slack, url: "https://hooks.slack.test/a"}
  - {type: teams, name: exec-teams, url: "https://teams.test/b"}
)";
;

}  // namespace kilter::test_support

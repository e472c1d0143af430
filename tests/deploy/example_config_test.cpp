// The production configuration the package installs as /etc/kilter/kilter.yaml:
// it writes only where the unit's sandbox lets it, and the options it shows
// commented out (SASL, Slack, Alertmanager) are valid once uncommented.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "config/loader.h"
#include "tests/deploy/tools.h"

namespace kilter::testing {
namespace {

TEST(ExampleConfig, WritesOnlyWhereTheSandboxAllows) {
  auto loaded = config::load_file(kShippedConfig.string());
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].to_string();
  const auto& c = *loaded.config;
  // ProtectSystem=strict leaves only the StateDirectory and LogsDirectory writable.
  EXPECT_EQ(c.storage.path, "/var/lib/kilter");
  EXPECT_TRUE(c.kafka.has_value());
  EXPECT_FALSE(c.source.has_value());
  int file_sinks = 0;
  for (const auto& sink : c.sinks) {
    const auto* file = std::get_if<config::FileSinkOptions>(&sink.options);
    if (file == nullptr) continue;
    ++file_sinks;
    EXPECT_EQ(file->path.rfind("/var/log/kilter/", 0), 0u) << file->path;
  }
  EXPECT_GE(file_sinks, 1);
  // Loopback, and above 1023: the unit grants no capabilities.
  EXPECT_EQ(c.http.listen, "127.0.0.1:9464");
}

TEST(ExampleConfig, CommentedOptionsAreValidWhenUncommented) {
  // Indented comments that are YAML (a key, a list item or its continuation),
  // not prose.
  static const std::regex commented(R"((^|\n)([ ]+)# ([a-z_.]+: [^\n]*|- \{[^\n]*|   [^\n]*))");
  auto text = read_file(kShippedConfig);
  auto open = std::regex_replace(text, commented, "$1$2$3");
  ASSERT_NE(open, text);
  for (const char* line :
       {"sasl.password: ${KAFKA_PASSWORD}", "url: \"${SLACK_WEBHOOK_URL}\"", "type: alertmanager"})
    EXPECT_NE(open.find(line), std::string::npos) << line << " is no longer offered";
  // The secrets come from the environment, as kilter.env would set them.
  ::setenv("KAFKA_PASSWORD", "secret", 1);
  ::setenv("SLACK_WEBHOOK_URL", "https://hooks.slack.example/services/T0/B0/x", 1);
  auto loaded = config::load_string(open, "kilter.yaml", "/etc/kilter");
  ::unsetenv("KAFKA_PASSWORD");
  ::unsetenv("SLACK_WEBHOOK_URL");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].to_string() << "\n" << open;
  EXPECT_EQ(loaded.config->sinks.size(), 4u);
  EXPECT_EQ(loaded.config->kafka->properties.at("security.protocol"), "sasl_ssl");
}

}  // namespace
}  // namespace kilter::testing

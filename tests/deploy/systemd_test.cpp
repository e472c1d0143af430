// The systemd unit as shipped: `systemd-analyze verify` accepts it, its sandbox
// rates an exposure of 2.0 or lower (`systemd-analyze security --offline=true`),
// and it keeps the service contract (notify, watchdog, checked reloads).
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/deploy/tools.h"

namespace kilter::testing {
namespace {

const fs::path kUnit = fs::path(KILTER_SOURCE_DIR) / "deploy/systemd/kilterd.service";

// The [Service] section's settings, each key's values in file order (an empty
// assignment, which resets a list, is kept as "").
std::map<std::string, std::vector<std::string>> service_settings(const std::string& unit) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(unit);
  std::string section;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    auto eq = line.find('=');
    if (section == "[Service]" && eq != std::string::npos)
      out[line.substr(0, eq)].push_back(line.substr(eq + 1));
  }
  return out;
}

TEST(SystemdUnit, VerifyAcceptsItWithTheBuiltBinary) {
  auto analyze = find_tool("systemd-analyze");
  if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed (./dev setup)";
  TempDir dir;
  // verify insists that the Exec binaries exist: the built one stands in for
  // /usr/bin/kilterd.
  auto unit = read_file(kUnit);
  ASSERT_EQ(unit.find(KILTERD_BIN), std::string::npos);
  auto local = replace_all(unit, "/usr/bin/kilterd", KILTERD_BIN);
  ASSERT_NE(local, unit);
  write_file(dir / "kilterd.service", local);

  auto r = run_tool(dir.path(), {analyze, "verify", (dir / "kilterd.service").string()});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  // Warnings (an unknown key, a bad value) do not fail verify: none may name the unit.
  EXPECT_EQ((r.out + r.err).find("kilterd.service"), std::string::npos) << r.out << r.err;

  // And verify does check: the same unit naming a missing binary fails.
  write_file(dir / "kilterd.service",
             replace_all(unit, "/usr/bin/kilterd", (dir / "no-such-kilterd").string()));
  auto missing = run_tool(dir.path(), {analyze, "verify", (dir / "kilterd.service").string()});
  EXPECT_NE(missing.code, 0) << missing.out << missing.err;
}

TEST(SystemdUnit, ExposureIsAtMostTwo) {
  auto analyze = find_tool("systemd-analyze");
  if (analyze.empty()) GTEST_SKIP() << "systemd-analyze is not installed (./dev setup)";
  TempDir dir;
  auto r = run_tool(dir.path(), {analyze, "security", "--offline=true", kUnit.string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  static const std::regex re("Overall exposure level for kilterd\\.service: ([0-9]+\\.[0-9]+)");
  std::smatch m;
  auto all = r.out + r.err;
  ASSERT_TRUE(std::regex_search(all, m, re)) << all;
  double exposure = std::stod(m[1]);
  EXPECT_LE(exposure, 2.0) << all;
  RecordProperty("exposure", m[1].str());
}

TEST(SystemdUnit, KeepsTheServiceContract) {
  auto s = service_settings(read_file(kUnit));
  using V = std::vector<std::string>;
  const std::string check = "/usr/bin/kilterd check-config --config /etc/kilter/kilter.yaml";
  EXPECT_EQ(s["Type"], V{"notify"});
  ASSERT_EQ(s["WatchdogSec"].size(), 1u);
  EXPECT_NE(s["WatchdogSec"][0], "0");
  EXPECT_EQ(s["ExecStartPre"], V{check});
  EXPECT_EQ(s["ExecStart"], V{"/usr/bin/kilterd run --config /etc/kilter/kilter.yaml"});
  // The file is checked first; only a valid one reaches the daemon as SIGHUP.
  EXPECT_EQ(s["ExecReload"], (V{check, "/bin/kill -HUP $MAINPID"}));
  EXPECT_EQ(s["StateDirectory"], V{"kilter"});
  EXPECT_EQ(s["LogsDirectory"], V{"kilter"});
  EXPECT_EQ(s["DynamicUser"], V{"yes"});
  EXPECT_EQ(s["Restart"], V{"on-failure"});
  EXPECT_EQ(s["TimeoutStopSec"].size(), 1u);
  // What the daemon needs from the network: no private network, no IP deny
  // list, the address families of a TCP client and server (and AF_UNIX for
  // sd_notify and the journal).
  EXPECT_TRUE(s["PrivateNetwork"].empty() || s["PrivateNetwork"] == V{"no"});
  EXPECT_TRUE(s["IPAddressDeny"].empty());
  ASSERT_EQ(s["RestrictAddressFamilies"].size(), 1u);
  for (const char* af : {"AF_INET", "AF_INET6", "AF_UNIX"})
    EXPECT_NE(s["RestrictAddressFamilies"][0].find(af), std::string::npos) << af;
  // No capabilities: the listening port must be above 1023.
  EXPECT_EQ(s["CapabilityBoundingSet"], V{""});
}

}  // namespace
}  // namespace kilter::testing

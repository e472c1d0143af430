// The Debian package, built from this build tree by CPack into a temporary
// directory: its files, its Depends, its conffiles and maintainer scripts, and
// the packaged binary accepting the packaged configuration.
#include <gtest/gtest.h>

#include <set>

#include "tests/deploy/tools.h"

namespace kilter::testing {
namespace {

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

// `dpkg-deb -c` lines: mode owner/group size date time ./path[ -> target]
std::map<std::string, std::string> contents(const std::string& listing) {
  std::map<std::string, std::string> out;  // path -> "mode owner"
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);) {
    std::istringstream f(line);
    std::string mode, owner, size, date, time, path;
    if (f >> mode >> owner >> size >> date >> time >> path) out[path] = mode + " " + owner;
  }
  return out;
}

// dpkg-deb on the package, with its output captured in `scratch`.
ToolRun dpkg_deb(const fs::path& scratch, const std::vector<std::string>& args) {
  std::vector<std::string> argv{find_tool("dpkg-deb")};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(scratch, argv);
}

void is_named_after_the_project_version(const fs::path& deb, const fs::path& dir) {
  EXPECT_EQ(deb.filename().string().rfind("kilter_", 0), 0u) << deb;
  auto f = dpkg_deb(dir, {"-f", deb.string(), "Package", "Version", "Architecture"});
  ASSERT_EQ(f.code, 0) << f.err;
  EXPECT_NE(f.out.find("Package: kilter\n"), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("Version: " KILTER_VERSION_STRING), std::string::npos) << f.out;
  EXPECT_NE(f.out.find("Architecture: amd64"), std::string::npos) << f.out;
}

void ships_the_binary_unit_configuration_and_docs(const fs::path& deb, const fs::path& dir) {
  auto c = dpkg_deb(dir, {"-c", deb.string()});
  ASSERT_EQ(c.code, 0) << c.err;
  auto files = contents(c.out);
  for (const char* path :
       {"./usr/bin/kilterd", "./lib/systemd/system/kilterd.service", "./etc/kilter/kilter.yaml",
        "./etc/kilter/kilter.env", "./usr/share/doc/kilter/README.md",
        "./usr/share/doc/kilter/copyright", "./usr/share/doc/kilter/docs/configuration.md",
        "./usr/share/doc/kilter/docs/delivery.md", "./usr/share/doc/kilter/docs/rules.md",
        "./usr/share/doc/kilter/docs/classifier.md", "./usr/share/kilter/README.md",
        "./usr/share/kilter/prometheus/prometheus.yml",
        "./usr/share/kilter/prometheus/kilter-rules.yml",
        "./usr/share/kilter/grafana/kilter-dashboard.json"})
    EXPECT_TRUE(files.contains(path)) << path << "\n" << c.out;
  EXPECT_EQ(files["./usr/bin/kilterd"], "-rwxr-xr-x root/root");
  EXPECT_EQ(files["./etc/kilter/kilter.yaml"], "-rw-r--r-- root/root");
  // Secrets: readable by root (systemd) only.
  EXPECT_EQ(files["./etc/kilter/kilter.env"], "-rw------- root/root");
  for (const auto& [path, mode] : files) {
    EXPECT_NE(mode.find("root/root"), std::string::npos) << path << " " << mode;
    // Nothing lands in /usr/local or under the source or build tree's path.
    EXPECT_EQ(path.find("/usr/local"), std::string::npos) << path;
    EXPECT_EQ(path.find(KILTER_SOURCE_DIR), std::string::npos) << path;
    EXPECT_EQ(path.find(KILTER_BINARY_DIR), std::string::npos) << path;
  }
}

void depends_on_the_runtime_libraries(const fs::path& deb, const fs::path& dir) {
  auto f = dpkg_deb(dir, {"-f", deb.string(), "Depends"});
  ASSERT_EQ(f.code, 0) << f.err;
  for (const char* lib : {"libc6", "librdkafka1", "librocksdb7.8", "libyaml-cpp0.7", "libcurl4",
                          "libsystemd0", "libssl3", "libfasttext0", "procps"})
    EXPECT_NE(f.out.find(lib), std::string::npos) << lib << " missing in " << f.out;
  // Runtime libraries only: no -dev package.
  EXPECT_EQ(f.out.find("-dev"), std::string::npos) << f.out;
}

void marks_the_configuration_as_conffiles_with_sane_scripts(const fs::path& deb,
                                                            const fs::path& dir) {
  auto ctrl = dir / "control";
  auto e = dpkg_deb(dir, {"-e", deb.string(), ctrl.string()});
  ASSERT_EQ(e.code, 0) << e.err;
  EXPECT_EQ(lines_of(read_file(ctrl / "conffiles")),
            (std::set<std::string>{"/etc/kilter/kilter.yaml", "/etc/kilter/kilter.env"}));
  for (const char* script : {"postinst", "prerm", "postrm"}) {
    auto p = ctrl / script;
    ASSERT_TRUE(fs::exists(p)) << script;
    EXPECT_NE(fs::status(p).permissions() & fs::perms::owner_exec, fs::perms::none) << script;
    auto syntax = run_tool(dir, {"/bin/sh", "-n", p.string()});
    EXPECT_EQ(syntax.code, 0) << script << ": " << syntax.err;
  }
}

void packaged_binary_accepts_the_packaged_configuration(const fs::path& deb, const fs::path& dir) {
  auto root = dir / "root";
  auto x = dpkg_deb(dir, {"-x", deb.string(), root.string()});
  ASSERT_EQ(x.code, 0) << x.err;
  const auto bin = (root / "usr/bin/kilterd").string();
  const auto etc = root / "etc/kilter";

  auto version = run_tool(dir, {bin, "--version"});
  EXPECT_EQ(version.code, 0) << version.err;
  EXPECT_NE(version.out.find(KILTER_VERSION_STRING), std::string::npos) << version.out;
  auto check = run_tool(dir, {bin, "check-config", "--config", (etc / "kilter.yaml").string()});
  EXPECT_EQ(check.code, 0) << check.out << check.err;
  // The packaged files are the repository's.
  const fs::path src(KILTER_SOURCE_DIR);
  EXPECT_EQ(read_file(etc / "kilter.yaml"), read_file(src / "deploy/examples/kilter.yaml"));
  EXPECT_EQ(read_file(root / "lib/systemd/system/kilterd.service"),
            read_file(src / "deploy/systemd/kilterd.service"));
  // Stripped: no symbol table left for `file` to mention.
  if (auto file = find_tool("file"); !file.empty()) {
    auto f = run_tool(dir, {file, bin});
    EXPECT_NE(f.out.find(", stripped"), std::string::npos) << f.out;
  }
}

// One test, so that the package is built once (cpack takes a few seconds).
TEST(Package, BuildsWithItsFilesDependsConffilesAndAWorkingBinary) {
  if (find_tool("dpkg-deb").empty()) GTEST_SKIP() << "dpkg-deb is not installed";
  TempDir dir;
  auto r = run_tool(dir.path(), {KILTER_CPACK, "--config", KILTER_BINARY_DIR "/CPackConfig.cmake",
                                 "-G", "DEB", "-B", (dir / "out").string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  fs::path deb;
  for (const auto& e : fs::directory_iterator(dir / "out"))
    if (e.path().extension() == ".deb") deb = e.path();
  ASSERT_FALSE(deb.empty()) << r.out;
  {
    SCOPED_TRACE("name and version");
    is_named_after_the_project_version(deb, dir.path());
  }
  {
    SCOPED_TRACE("contents");
    ships_the_binary_unit_configuration_and_docs(deb, dir.path());
  }
  {
    SCOPED_TRACE("Depends");
    depends_on_the_runtime_libraries(deb, dir.path());
  }
  {
    SCOPED_TRACE("control files");
    marks_the_configuration_as_conffiles_with_sane_scripts(deb, dir.path());
  }
  {
    SCOPED_TRACE("packaged binary");
    packaged_binary_accepts_the_packaged_configuration(deb, dir.path());
  }
}

}  // namespace
}  // namespace kilter::testing

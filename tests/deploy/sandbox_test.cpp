// Does kilterd still work inside the unit's sandbox? Without systemd as PID 1
// the sandbox cannot be applied here, so the daemon runs the shipped
// configuration against the dev broker under strace (consume, serve HTTP,
// reload, stop), and what it did is checked against the unit: every system call
// is in its SystemCallFilter, every socket in its RestrictAddressFamilies, and
// every write lands in what ProtectSystem=strict leaves writable (the state and
// logs directories).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "tests/deploy/tools.h"

namespace kilter::testing {
namespace {

const fs::path kUnit = fs::path(KILTER_SOURCE_DIR) / "deploy/systemd/kilterd.service";

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::vector<std::string> unit_values(const std::string& key) {
  std::vector<std::string> out;
  std::istringstream in(read_file(kUnit));
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + "=", 0) == 0) out.push_back(line.substr(key.size() + 1));
  return out;
}

// Every group of `systemd-analyze syscall-filter`, expanded to system calls.
class SyscallGroups {
 public:
  explicit SyscallGroups(const std::string& listing) {
    std::string group;
    std::istringstream in(listing);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      if (line[0] == '@') {
        group = words(line)[0];
        continue;
      }
      auto w = words(line);
      if (!group.empty() && !w.empty() && w[0][0] != '#') members_[group].push_back(w[0]);
    }
  }
  std::set<std::string> expand(const std::string& item) const {
    if (item.empty() || item[0] != '@') return {item};
    std::set<std::string> out;
    auto it = members_.find(item);
    if (it == members_.end()) return out;
    for (const auto& m : it->second) out.merge(expand(m));
    return out;
  }
  bool empty() const { return members_.empty(); }

 private:
  std::map<std::string, std::vector<std::string>> members_;
};

// What the unit's SystemCallFilter= lines allow: the allow list minus every
// `~` deny list, applied in order.
std::set<std::string> allowed_syscalls(const SyscallGroups& groups) {
  std::set<std::string> allowed;
  for (const auto& v : unit_values("SystemCallFilter")) {
    bool deny = !v.empty() && v[0] == '~';
    for (const auto& item : words(deny ? v.substr(1) : v))
      for (const auto& call : groups.expand(item)) {
        if (deny)
          allowed.erase(call);
        else
          allowed.insert(call);
      }
  }
  return allowed;
}

std::set<std::string> matches(const std::string& text, const std::regex& re, int group = 1) {
  std::set<std::string> out;
  for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
    out.insert((*it)[group].str());
  return out;
}

TEST(Sandbox, DaemonStaysWithinTheUnitsFilters) {
  auto strace = find_tool("strace");
  auto analyze = find_tool("systemd-analyze");
  if (strace.empty() || analyze.empty())
    GTEST_SKIP() << "strace or systemd-analyze is not installed (./dev setup)";
  TempDir dir;
  auto listing = run_tool(dir.path(), {analyze, "syscall-filter"});
  SyscallGroups groups(listing.out);
  ASSERT_FALSE(groups.empty()) << listing.err;
  auto allowed = allowed_syscalls(groups);
  ASSERT_GT(allowed.size(), 100u);

  const auto trace = dir / "trace";
  // In a sanitizer build, LeakSanitizer cannot work under ptrace and would abort
  // the traced daemon at exit; the leak check belongs to the other tests.
  if (const char* asan = std::getenv("ASAN_OPTIONS"))
    ::setenv("ASAN_OPTIONS", (std::string(asan) + ":detect_leaks=0").c_str(), 1);
  {
    ShippedDaemon d(dir.path(), {strace, "-f", "-qq", "-o", trace.string()});
    ASSERT_FALSE(d.brokers().empty()) << read_file(dir / "broker.err");
    ASSERT_TRUE(d.consuming()) << d.log();
    // The daemon's own pid is the first one strace names.
    pid_t daemon = std::stoi(read_file(trace).substr(0, read_file(trace).find(' ')));
    // Some input (a good event and a bad one, dead-lettered), when kcat is here.
    if (auto kcat = find_tool("kcat"); !kcat.empty()) {
      write_file(dir / "events",
                 R"({"type":"post","id":"e1","account":"acme","ts":"2026-11-20T09:00:00Z",)"
                 R"("post_id":"p1","text":"Our Q3 report is out","category":"professional"})"
                 "\nnot json\n");
      auto produced =
          run_tool(dir.path(), {kcat, "-P", "-b", d.brokers(), "-t", "social.events", "-k", "acme"},
                   {}, dir / "events");
      ASSERT_EQ(produced.code, 0) << produced.err;
      ASSERT_TRUE(eventually([&] {
        auto m = d.get("/metrics").body;
        return metric(m, "kilter_events_total{result=\"bad\"}") == 1 &&
               metric(m, "kilter_kafka_produced_total{result=\"ok\"}") == 1;
      })) << d.log();
    }
    for (const char* path : {"/-/healthy", "/-/ready", "/api/v1/alerts", "/api/v1/accounts/acme"})
      EXPECT_NE(d.get(path).status, 0) << path;
    ShippedDaemon::signal(daemon, SIGHUP);
    ASSERT_TRUE(eventually([&] {
      return metric(d.get("/metrics").body, "kilter_config_reloads_total{result=\"success\"}") == 1;
    })) << d.log();
    ShippedDaemon::signal(daemon, SIGTERM);
    auto exit = d.wait();
    EXPECT_FALSE(exit.signaled);
    EXPECT_EQ(exit.code, 0) << d.log();
  }

  const auto text = read_file(trace);
  auto used = matches(text, std::regex(R"((?:^|\n)\d+ +([a-z0-9_]+)\()"));
  ASSERT_GT(used.size(), 20u) << text.substr(0, 2000);
  for (const auto& call : used)
    EXPECT_TRUE(allowed.contains(call)) << call << " is outside the unit's SystemCallFilter";

  auto families_allowed = words(unit_values("RestrictAddressFamilies").at(0));
  for (const auto& family : matches(text, std::regex(R"(socket\((AF_[A-Z0-9]+))"))) {
    // glibc's getaddrinfo asks netlink which address families have interfaces;
    // refused (EAFNOSUPPORT), it assumes both, so AF_NETLINK may stay out.
    if (family == "AF_NETLINK") continue;
    EXPECT_NE(std::find(families_allowed.begin(), families_allowed.end(), family),
              families_allowed.end())
        << family << " is outside the unit's RestrictAddressFamilies";
  }

  // ProtectSystem=strict: writable are the StateDirectory, the LogsDirectory
  // (here dir/state and dir/log), /dev (PrivateDevices) and the process's own
  // /proc entries (thread names).
  const std::regex own_proc(R"(/proc/(self|thread-self|\d+)/.*)");
  auto under = [](const std::string& path, const fs::path& top) {
    return path == top.string() || path.rfind(top.string() + "/", 0) == 0;
  };
  auto writable = [&](const std::string& path) {
    return under(path, dir / "state") || under(path, dir / "log") || under(path, "/dev") ||
           std::regex_match(path, own_proc);
  };
  auto written = matches(
      text, std::regex(R"re(openat\(AT_FDCWD, "([^"]+)", [A-Z_|]*O_(?:WRONLY|RDWR|CREAT))re"));
  written.merge(matches(
      text, std::regex(R"re((?:mkdir|unlink|rename|renameat2?|unlinkat)\([^"]*"([^"]+)")re")));
  EXPECT_FALSE(written.empty());
  for (const auto& path : written)
    EXPECT_TRUE(writable(path)) << path << " is written outside the state and logs directories";
}

}  // namespace
}  // namespace kilter::testing

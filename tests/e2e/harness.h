// Helpers for tests that drive the real kilterd binary.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace kilter::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("kilter-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    // KILTER_TEST_KEEP=1 keeps the directory, to look at a failed run's files.
    if (const char* keep = std::getenv("KILTER_TEST_KEEP"); keep != nullptr && *keep == '1') {
      std::fprintf(stderr, "kept %s\n", path_.c_str());
      return;
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

struct Exit {
  bool signaled = false;
  int code = -1;  // exit code, or the signal number when signaled
};

// Starts argv with stdout/stderr redirected to files (stdin from stdin_path when
// set) and optional extra environment; returns the pid.
inline pid_t spawn(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
                   const std::vector<std::string>& env = {}, const fs::path& stdin_path = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (!stdin_path.empty()) std::freopen(stdin_path.c_str(), "r", stdin);
    std::freopen(out.c_str(), "a", stdout);
    std::freopen(err.c_str(), "a", stderr);
    for (const auto& e : env) ::putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    std::_Exit(127);
  }
  return pid;
}

inline Exit wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) return {true, WTERMSIG(status)};
  return {false, WEXITSTATUS(status)};
}

inline Exit run(const std::vector<std::string>& argv, const fs::path& out, const fs::path& err,
                const std::vector<std::string>& env = {}, const fs::path& stdin_path = {}) {
  return wait_for(spawn(argv, out, err, env, stdin_path));
}

// Extracts a top-level string or number field from a one-line JSON record
// (enough for the alert records we compare; not a JSON parser).
inline std::string json_field(const std::string& line, const std::string& key) {
  auto k = "\"" + key + "\":";
  auto pos = line.find(k);
  if (pos == std::string::npos) return {};
  pos += k.size();
  if (line[pos] == '"') {
    auto end = line.find('"', pos + 1);
    return line.substr(pos + 1, end - pos - 1);
  }
  auto end = line.find_first_of(",}", pos);
  return line.substr(pos, end - pos);
}

// (alert_id, status, starts_at): what names one notification.
using AlertKey = std::tuple<std::string, std::string, std::string>;

inline std::multiset<AlertKey> alert_keys(const std::vector<std::string>& records) {
  std::multiset<AlertKey> keys;
  for (const auto& r : records)
    keys.emplace(json_field(r, "alert_id"), json_field(r, "status"), json_field(r, "starts_at"));
  return keys;
}

}  // namespace kilter::testing

// The configuration loader on arbitrary YAML: a typed configuration or errors, never
// a crash or an exception; errors name the file, and a configuration comes only
// without errors. Relative file references (url_file, token_file, secret_file...)
// resolve against an empty temporary directory holding one secret file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/loader.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

std::string base_dir() {
  auto dir =
      std::filesystem::temp_directory_path() / ("kilter-fuzz-config-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "secret.txt") << "s3cr3t\n";
  static const std::filesystem::path made = dir;
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(made, ec);
  });
  return dir.string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string dir = base_dir();
  std::string yaml(reinterpret_cast<const char*>(data), size);
  auto r = kilter::config::load_string(yaml, "fuzz.yaml", dir);
  FUZZ_CHECK(r.config.has_value() == r.errors.empty());
  for (const auto& e : r.errors) {
    FUZZ_CHECK(e.file == "fuzz.yaml" && e.line >= 0 && e.column >= 0 && !e.message.empty());
    FUZZ_CHECK(!e.to_string().empty());
  }
  return 0;
}

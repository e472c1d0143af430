// kilter-loadgen: writes a synthetic event stream (NDJSON) for demos and load tests.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "common/time.h"
#include "tools/loadgen/generator.h"

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};

}  // namespace

int main(int argc, char** argv) {
  using kilter::loadgen::GeneratorOptions;
  GeneratorOptions opts;
  std::string scenario = "demo";
  std::string start = kilter::format_rfc3339(opts.start);
  std::string out_path = "-";
  std::string jitter = kilter::format_duration(opts.max_jitter);

  CLI::App app{"Writes a deterministic synthetic stream of Kilter events (NDJSON)."};
  app.add_option("--scenario", scenario, "demo: one week of ~20 accounts; load: many accounts")
      ->check(CLI::IsMember({"demo", "load"}))
      ->capture_default_str();
  app.add_option("--seed", opts.seed, "random seed; the same seed gives the same bytes")
      ->capture_default_str();
  app.add_option("--start", start, "first event time (RFC 3339)")->capture_default_str();
  app.add_option("--days", opts.days, "event-time span in days")->capture_default_str();
  app.add_option("--accounts", opts.accounts, "load: number of accounts")->capture_default_str();
  app.add_option("--events", opts.events, "load: number of events")->capture_default_str();
  app.add_option("--zipf", opts.zipf_exponent, "load: Zipf exponent of account activity")
      ->capture_default_str();
  app.add_option("--duplicates", opts.duplicate_rate, "share of events delivered twice")
      ->capture_default_str();
  app.add_option("--jitter", jitter, "how late an event may be delivered (e.g. 4m)")
      ->capture_default_str();
  app.add_option("--label-field", opts.label_field,
                 "write each post's intended category under this field (ground truth)");
  app.add_option("--out", out_path, "output file, - for stdout")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  opts.scenario = *kilter::loadgen::parse_scenario(scenario);
  auto t = kilter::parse_rfc3339(start);
  if (!t) {
    fmt::print(stderr, "kilter-loadgen: --start: not an RFC 3339 time: {}\n", start);
    return 2;
  }
  opts.start = *t;
  auto j = kilter::parse_duration(jitter);
  if (!j) {
    fmt::print(stderr, "kilter-loadgen: --jitter: not a duration: {}\n", jitter);
    return 2;
  }
  opts.max_jitter = *j;

  auto gen = kilter::loadgen::Generator::create(opts);
  if (!gen) {
    fmt::print(stderr, "kilter-loadgen: {}\n", gen.error().message);
    return 2;
  }

  std::unique_ptr<std::FILE, FileCloser> file(out_path == "-" ? stdout
                                                              : std::fopen(out_path.c_str(), "wb"));
  if (!file) {
    fmt::print(stderr, "kilter-loadgen: cannot write {}\n", out_path);
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(file.get(), buffer, _IOFBF, sizeof buffer);

  std::string line;
  line.reserve(4096);
  while (gen->next(line)) {
    line.push_back('\n');
    if (std::fwrite(line.data(), 1, line.size(), file.get()) != line.size()) {
      // stdout closed early (e.g. `| head`): not an error worth a message.
      return out_path == "-" ? 0 : 1;
    }
  }
  if (std::fflush(file.get()) != 0 && out_path != "-") {
    fmt::print(stderr, "kilter-loadgen: write error on {}\n", out_path);
    return 1;
  }
  if (out_path != "-") {
    fmt::print(stderr, "kilter-loadgen: {} events written to {}\n", gen->emitted(), out_path);
  }
  return 0;
}

// kilter-loadgen: writes a synthetic event stream (NDJSON) for demos and load tests.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "common/clock.h"
#include "common/time.h"
#include "kafka/producer.h"
#include "tools/loadgen/generator.h"
#include "tools/loadgen/pacer.h"
#include "tools/loadgen/send.h"

namespace {

struct FileCloser {
  void operator()(std::FILE* f) const {
    if (f != nullptr && f != stdout) std::fclose(f);
  }
};

// The account of one generated event: the Kafka message key. The generator
// writes `"account":"<id>"` with ids that need no escaping.
std::string_view account_of(std::string_view line) {
  constexpr std::string_view kKey = "\"account\":\"";
  auto at = line.find(kKey);
  if (at == std::string_view::npos) return {};
  auto start = at + kKey.size();
  return line.substr(start, line.find('"', start) - start);
}

// How a paced run kept up, for the closing line: a generator or broker too slow
// for the asked rate shows as a late last event.
std::string pacing_note(const kilter::loadgen::Pacer& pacer, double rate,
                        std::chrono::duration<double> last_late) {
  if (!pacer.paced()) return {};
  return fmt::format(", paced at {:.0f}/s, last event {:.2f}s behind schedule", rate,
                     last_late.count());
}

int produce(kilter::loadgen::Generator& gen, const std::string& brokers, const std::string& topic,
            double rate) {
  kilter::config::KafkaConfig kc;
  kc.brokers = brokers;
  auto producer = kilter::kafka::make_producer(kc);
  if (!producer) {
    fmt::print(stderr, "kilter-loadgen: {}\n", producer.error().message);
    return 1;
  }
  std::string line;
  line.reserve(4096);
  kilter::loadgen::Pacer pacer(rate);
  std::chrono::duration<double> late{};
  // A full queue is waited out a millisecond at a time, for at most a minute
  // in a row (the broker then took nothing for that long).
  constexpr std::size_t kMaxWaits = 60'000;
  auto& p = **producer;
  std::chrono::steady_clock::duration waited{};  // measured: a sleep may run long
  auto wait = [&p, &waited] {
    const auto t0 = std::chrono::steady_clock::now();
    p.poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    waited += std::chrono::steady_clock::now() - t0;
  };
  while (gen.next(line)) {
    late = pacer.wait(gen.emitted() - 1);
    if (auto r = kilter::loadgen::send_waiting(p, topic, account_of(line), line, kMaxWaits, wait);
        !r) {
      fmt::print(stderr, "kilter-loadgen: {}{}\n", r.error().message,
                 r.error().retriable() ? " (the producer's queue stayed full for a minute)" : "");
      return 1;
    }
  }
  if (auto r = (*producer)->flush(std::chrono::seconds(60)); !r) {
    fmt::print(stderr, "kilter-loadgen: {}\n", r.error().message);
    return 1;
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - pacer.started()).count();
  // Its own CPU too: a benchmark running it on the daemon's machine says what it took.
  const double cpu = kilter::process_cpu_seconds();
  fmt::print(
      stderr, "kilter-loadgen: {} events produced to {} in {:.1f}s ({:.0f}/s{}{}); {:.2f}s CPU\n",
      gen.emitted(), topic, secs, static_cast<double>(gen.emitted()) / secs,
      pacing_note(pacer, rate, late),
      waited == waited.zero() ? std::string{}
                              : fmt::format(", {:.1f}s waiting for room in the producer's queue",
                                            std::chrono::duration<double>(waited).count()),
      cpu);
  return 0;
}

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
  app.add_option("--start", start, "first event time (RFC 3339), or now (the wall clock)")
      ->capture_default_str();
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
                 "write each post's intended category under this field, which the daemon "
                 "ignores (ground truth for checking the classifier)");
  app.add_flag("--trusted-labels", opts.trusted_labels,
               "write each post's intended category as \"category\", which the daemon trusts "
               "instead of classifying (the ground-truth run of a verdict check)");
  app.add_option("--texts", opts.texts,
                 "demo: take the posts' texts from these labelled NDJSON files (label in "
                 "category or expected, language in lang or expected_lang) instead of "
                 "composing them; repeatable")
      ->check(CLI::ExistingFile);
  app.add_option("--out", out_path, "output file, - for stdout")->capture_default_str();
  std::string brokers, topic;
  app.add_option("--brokers", brokers,
                 "produce to Kafka (bootstrap list) instead of writing a file; keyed by account");
  app.add_option("--topic", topic, "the topic to produce to (with --brokers)");
  double rate = 0;
  app.add_option("--rate", rate, "events per second (paced; default: as fast as possible)")
      ->check(CLI::PositiveNumber);
  double speedup = 0;
  app.add_option("--speedup", speedup,
                 "load with --rate: event time follows the wall clock this many times faster "
                 "(600: 1s of wall time is 10min of event time); replaces --days")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (brokers.empty() != topic.empty()) {
    fmt::print(stderr, "kilter-loadgen: --brokers and --topic go together\n");
    return 2;
  }

  opts.scenario = *kilter::loadgen::parse_scenario(scenario);
  if (start == "now") {
    opts.start = std::chrono::floor<std::chrono::seconds>(
        std::chrono::time_point_cast<kilter::Millis>(std::chrono::system_clock::now()));
  } else if (auto t = kilter::parse_rfc3339(start)) {
    opts.start = *t;
  } else {
    fmt::print(stderr, "kilter-loadgen: --start: not an RFC 3339 time nor now: {}\n", start);
    return 2;
  }
  if (speedup > 0) {
    if (rate <= 0 || opts.scenario != kilter::loadgen::Scenario::load) {
      fmt::print(stderr, "kilter-loadgen: --speedup needs --rate and --scenario load\n");
      return 2;
    }
    // Event n is sent n / rate seconds after the start and stamped speedup times
    // that after --start: the event-time span is the run's duration, sped up.
    opts.span =
        kilter::Millis{std::llround(static_cast<double>(opts.events) / rate * speedup * 1000.0)};
    if (opts.span <= kilter::Millis{0}) opts.span = kilter::Millis{1000};
  }
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

  if (!brokers.empty()) return produce(*gen, brokers, topic, rate);

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
  kilter::loadgen::Pacer pacer(rate);
  while (gen->next(line)) {
    if (pacer.paced()) {
      // A reader downstream (a pipe into kilterd) gets what is due before the sleep.
      const auto n = gen->emitted() - 1;
      if (kilter::loadgen::Pacer::Clock::now() < pacer.due(n)) std::fflush(file.get());
      pacer.wait(n);
    }
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

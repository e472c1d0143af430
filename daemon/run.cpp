// `kilterd run`: wiring of the pipeline, and the event loop that drives it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "config/loader.h"
#include "daemon/commands.h"
#include "daemon/logging.h"
#include "pipeline/classifier.h"
#include "pipeline/engine.h"
#include "pipeline/file_source.h"
#include "pipeline/outbox.h"
#include "storage/state_store.h"

namespace kilter::daemon {
namespace {

namespace asio = boost::asio;
constexpr std::size_t kPollBatch = 4096;

// Drives a source through the engine on the io_context: one slice of messages
// per turn, so signals and timers are served between slices.
class Replay {
 public:
  Replay(asio::io_context& io, pipeline::Source& source, pipeline::Engine& engine)
      : io_(io), source_(source), engine_(engine), progress_(io) {}

  void start() {
    started_ = std::chrono::steady_clock::now();
    asio::post(io_, [this] { pump(); });
    schedule_progress();
  }
  void stop() { stopping_ = true; }
  // Test hook: die by SIGKILL after this many messages (0: never), so crash
  // recovery can be tested at exact points as well as at random ones.
  void crash_after(std::uint64_t n) { crash_after_ = n; }
  int exit_code() const { return exit_code_; }

 private:
  void pump() {
    if (stopping_) return finish(false);
    messages_.clear();
    auto status = source_.poll(messages_, kPollBatch);
    if (!status) {
      spdlog::error("source: {}", status.error().message);
      exit_code_ = kExitRuntime;
      return finish(false);
    }
    for (const auto& m : messages_) {
      engine_.process(m);
      if (crash_after_ > 0 && --crash_after_ == 0) ::raise(SIGKILL);
    }
    if (engine_.failure()) {
      exit_code_ = kExitRuntime;
      return io_.stop();
    }
    if (engine_.commit_due()) {
      if (auto r = engine_.commit(); !r) {
        exit_code_ = kExitRuntime;
        return io_.stop();
      }
    }
    if (*status == pipeline::PollStatus::end) return finish(true);
    asio::post(io_, [this] { pump(); });
  }

  void finish(bool end_of_input) {
    auto r = end_of_input ? engine_.finish() : engine_.commit();
    if (!r) {
      spdlog::error("final commit failed: {}", r.error().message);
      exit_code_ = kExitRuntime;
    }
    report(true);
    progress_.cancel();
    io_.stop();
  }

  void schedule_progress() {
    progress_.expires_after(std::chrono::seconds(5));
    progress_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      report(false);
      schedule_progress();
    });
  }

  void report(bool final) {
    const auto& s = engine_.stats();
    std::uint64_t total = 0;
    for (auto n : s.events) total += n;
    double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    spdlog::info(
        "{} {} events in {:.1f}s ({:.0f}/s): ok {}, bad {}, late {}, duplicate {}; "
        "alerts firing {}, resolved {}",
        final ? "replayed" : "progress:", total, secs, secs > 0 ? total / secs : 0.0, s.events[0],
        s.events[1], s.events[2], s.events[3], s.alerts_firing, s.alerts_resolved);
  }

  asio::io_context& io_;
  pipeline::Source& source_;
  pipeline::Engine& engine_;
  asio::steady_timer progress_;
  std::vector<pipeline::SourceMessage> messages_;
  std::chrono::steady_clock::time_point started_;
  bool stopping_ = false;
  std::uint64_t crash_after_ = 0;
  int exit_code_ = kExitOk;
};

}  // namespace

int run(const RunOptions& opts) {
  auto loaded = config::load_file(opts.config_path);
  setup_logging(!opts.log_level.empty() ? opts.log_level
                : loaded.config         ? loaded.config->log.level
                                        : "info");
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) spdlog::error("{}", e.to_string());
    return kExitConfig;
  }
  auto cfg = std::make_shared<const config::Config>(std::move(*loaded.config));
  if (!cfg->source) {
    spdlog::error("{}: the Kafka source is not available in this version; set source.file",
                  opts.config_path);
    return kExitConfig;
  }

  auto store = storage::open_rocks_store({.path = cfg->storage.path});
  if (!store) {
    spdlog::error("state store: {}", store.error().message);
    return kExitRuntime;
  }
  pipeline::ClassifierOptions copts;
  copts.languages = cfg->classifier.languages;
  copts.extra_lexicon_files = cfg->classifier.extra_lexicons;
  copts.min_confidence = cfg->classifier.min_confidence;
  auto classifier = pipeline::make_lexicon_classifier(copts);
  if (!classifier) {
    spdlog::error("classifier: {}", classifier.error().message);
    return kExitConfig;
  }
  auto sinks = pipeline::make_sinks(cfg->sinks);
  if (!sinks) {
    spdlog::error("{}", sinks.error().message);
    return kExitConfig;
  }
  auto source = pipeline::open_file_source(cfg->source->path, cfg->pipeline.max_event_bytes);
  if (!source) {
    spdlog::error("source: {}", source.error().message);
    return kExitRuntime;
  }

  SystemClock clock;
  pipeline::Outbox outbox(std::move(*sinks));
  pipeline::Engine engine(cfg, **store, **classifier, outbox, clock);
  for (auto p : (*source)->partitions()) {
    auto position = engine.open_partition(p);
    if (position) {
      if (auto r = (*source)->seek(p, *position); !r) {
        spdlog::error("source: {}", r.error().message);
        return kExitRuntime;
      }
    }
  }
  spdlog::info("kilterd {} replaying {} into {}", KILTER_VERSION, (*source)->describe(),
               cfg->storage.path);

  asio::io_context io;
  Replay replay(io, **source, engine);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: committing and stopping", sig);
    replay.stop();
  });
  if (const char* crash = std::getenv("KILTER_CRASH_AFTER_EVENTS"))
    replay.crash_after(std::strtoull(crash, nullptr, 10));
  replay.start();
  io.run();
  if (outbox.queued() > 0)
    spdlog::warn("{} alert(s) not delivered yet; they stay in the outbox for the next run",
                 outbox.queued());
  return replay.exit_code();
}

}  // namespace kilter::daemon

// `kilterd run`: wiring of the pipeline (config -> store -> classifier -> sinks
// -> outbox -> engine -> source), the HTTP endpoints, signals, systemd, reloads
// and the event loop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/loader.h"
#include "daemon/asio_dispatcher.h"
#include "daemon/classifier_setup.h"
#include "daemon/commands.h"
#include "daemon/daemon_metrics.h"
#include "daemon/logging.h"
#include "daemon/pump.h"
#include "daemon/server/api.h"
#include "daemon/server/http_server.h"
#include "daemon/systemd.h"
#include "http/curl_client.h"
#include "kafka/changelog_log.h"
#include "kafka/producer.h"
#include "kafka/sink.h"
#include "kafka/source.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/engine.h"
#include "pipeline/ingest/file_source.h"
#include "storage/state_store.h"

namespace kilter::daemon {
namespace {

namespace asio = boost::asio;

// Test hook (KILTER_CRASH_AFTER_CHECKPOINTS=N): SIGKILL right after the Nth
// accepted group commit, before the state batch it precedes is written: the
// one moment when the group is ahead of the state.
class CrashingCheckpointer final : public pipeline::Checkpointer {
 public:
  CrashingCheckpointer(pipeline::Checkpointer& inner, std::uint64_t n) : inner_(inner), n_(n) {}
  Result<void> checkpoint(std::span<const pipeline::Position> positions) override {
    auto r = inner_.checkpoint(positions);
    if (r && --n_ == 0) ::raise(SIGKILL);
    return r;
  }

 private:
  pipeline::Checkpointer& inner_;
  std::uint64_t n_;
};

bool needs_producer(const config::Config& c) {
  if (c.kafka && !c.source && !c.kafka->dead_letter_topic.empty()) return true;
  for (const auto& s : c.sinks)
    if (s.type() == config::SinkType::kafka) return true;
  return false;
}

Result<std::unique_ptr<pipeline::Source>> open_source(const config::Config& c,
                                                      storage::StateStore& store,
                                                      kafka::Producer* producer) {
  if (c.source) return pipeline::open_file_source(c.source->path, c.pipeline.max_event_bytes);
  kafka::SourceOptions o;
  o.instance_id = store.instance_id();
  o.partition_of = [&store](std::string_view topic, std::int32_t p) -> Result<Partition> {
    auto id = store.source_id(topic);
    if (!id) return id.error();
    return kafka::pipeline_partition(*id, p);
  };
  o.dead_letters = producer;
  return kafka::open_source(*c.kafka, std::move(o));
}

// The sections a running daemon cannot swap (its input, its state, its listener):
// a reload keeps them, and says so when the file changed them.
std::shared_ptr<const config::Config> merge(const config::Config& running, config::Config next) {
  auto keep = [&](bool same, std::string_view section) {
    if (!same) spdlog::warn("reload: {} changed; that takes effect at the next restart", section);
  };
  keep(running.source == next.source, "source");
  keep(running.kafka == next.kafka, "kafka");
  keep(running.storage == next.storage, "storage");
  keep(running.pipeline == next.pipeline, "pipeline");
  const auto& a = running.http;
  const auto& b = next.http;
  keep(a.listen == b.listen && a.max_connections == b.max_connections &&
           a.max_connections_per_client == b.max_connections_per_client &&
           a.idle_timeout == b.idle_timeout && a.request_timeout == b.request_timeout,
       "http (listen, connection bounds, timeouts)");
  next.source = running.source;
  next.kafka = running.kafka;
  next.storage = running.storage;
  next.pipeline = running.pipeline;
  next.http.listen = a.listen;
  next.http.max_connections = a.max_connections;
  next.http.max_connections_per_client = a.max_connections_per_client;
  next.http.idle_timeout = a.idle_timeout;
  next.http.request_timeout = a.request_timeout;
  return std::make_shared<const config::Config>(std::move(next));
}

HttpServerOptions http_options(const config::HttpConfig& c) {
  HttpServerOptions o;
  o.max_connections = c.max_connections;
  o.max_connections_per_client = c.max_connections_per_client;
  o.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.idle_timeout);
  o.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(c.request_timeout);
  return o;
}

class Service {
 public:
  explicit Service(RunOptions opts) : opts_(std::move(opts)) {}

  int run(std::shared_ptr<const config::Config> cfg) {
    cfg_ = std::move(cfg);
    // librdkafka's verdict on the verbatim properties: a configuration error
    // (exit 1, which systemd does not restart), as in check-config.
    if (cfg_->kafka) {
      auto errors = kafka::check_properties(*cfg_->kafka);
      for (const auto& e : errors) spdlog::error("{}: {}", opts_.config_path, e);
      if (!errors.empty()) return kExitConfig;
    }
    auto store =
        storage::open_rocks_store({.path = cfg_->storage.path,
                                   .block_cache_bytes = cfg_->storage.block_cache_mib << 20,
                                   .memtable_bytes = cfg_->storage.memtable_mib << 20,
                                   .min_free_bytes = cfg_->storage.min_free_mib << 20});
    if (!store) {
      spdlog::error("state store: {}", store.error().message);
      return kExitRuntime;
    }
    store_ = std::move(*store);
    auto classifier = make_classifier(cfg_->classifier);
    if (!classifier) {
      spdlog::error("classifier: {}", classifier.error().message);
      return kExitConfig;
    }
    classifier_ = std::move(*classifier);
    if (auto r = ensure_producer(*cfg_); !r) {
      spdlog::error("{}", r.error().message);
      return kExitConfig;
    }
    http_client_ = http::make_curl_client(
        {.post = [this](std::function<void()> fn) { dispatcher_.post(std::move(fn)); }});
    auto sinks = make_sinks(*cfg_);
    if (!sinks) {
      spdlog::error("{}", sinks.error().message);
      return kExitConfig;
    }
    outbox_.emplace(dispatcher_, *store_, std::move(*sinks), cfg_->outbox, firing());
    engine_.emplace(cfg_, *store_, *classifier_, *outbox_, dispatcher_);
    if (auto r = enable_changelog(); !r) {
      spdlog::error("{}", r.error().message);
      // Brokers away: worth a restart (systemd's); a missing topic: a fix first.
      return r.error().retriable() ? kExitRuntime : kExitConfig;
    }
    // Without a changelog, what earlier runs still owe is delivered from here,
    // whoever holds those partitions now; with one, the outbox moves with each
    // partition and its holder delivers it (Engine::partition_assigned).
    if (!changelog_) outbox_->restore_all();
    auto source = open_source(*cfg_, *store_, producer_.get());
    if (!source) {
      spdlog::error("source: {}", source.error().message);
      return kExitRuntime;
    }
    source_ = std::move(*source);
    auto& src = *source_;
    src.set_listener(&*engine_);
    if (src.live()) engine_->set_checkpointer(&src);
    std::optional<CrashingCheckpointer> crashing;
    if (const char* n = std::getenv("KILTER_CRASH_AFTER_CHECKPOINTS"); n != nullptr && src.live()) {
      crashing.emplace(src, std::strtoull(n, nullptr, 10));
      engine_->set_checkpointer(&*crashing);
    }
    engine_->set_bad_input_hook(
        [&src](const pipeline::SourceMessage& m, const pipeline::DecodeOutcome& o) {
          src.dead_letter(m, pipeline::to_string(o.reason));
        });
    for (auto p : src.partitions()) {
      if (auto position = engine_->open_partition(p)) {
        if (auto r = src.seek(p, *position); !r) {
          spdlog::error("source: {}", r.error().message);
          return kExitRuntime;
        }
      }
    }
    spdlog::info("kilterd {} reading {} into {}", KILTER_VERSION, src.describe(),
                 cfg_->storage.path);

    PumpOptions popts;
    popts.evaluation_interval =
        std::chrono::duration_cast<std::chrono::milliseconds>(cfg_->pipeline.evaluation_interval);
    popts.drain_timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(cfg_->outbox.drain_timeout);
    if (const char* crash = std::getenv("KILTER_CRASH_AFTER_EVENTS"))
      popts.crash_after = std::strtoull(crash, nullptr, 10);
    Pump pump(dispatcher_, src, *engine_, *outbox_, popts);

    ApiContext api{*engine_,
                   *store_,
                   [this] { return ready(); },
                   [this] { return metrics(); },
                   cfg_->http.token,
                   [this] { return not_ready_why(); },
                   [this] {
                     const auto& f = engine_->failure();
                     return f ? std::optional<std::string>(f->message) : std::nullopt;
                   },
                   [this] {
                     std::vector<PartitionStatus> out;
                     for (auto p : engine_->open_partitions())
                       out.push_back({engine_->partition_name(p), false});
                     for (auto p : engine_->warming())
                       out.push_back({engine_->partition_name(p), true});
                     return out;
                   }};
    api_ = &api;
    HttpServer http(
        io_, [&api](const HttpRequest& r) { return handle_request(api, r); },
        http_options(cfg_->http));
    http_ = &http;
    if (auto r = http.listen(cfg_->http.listen); !r) {
      // A daemon without health and metrics is not running: a bind failure (the
      // port in use, the address not on this host) is a runtime error, exit 2,
      // which systemd retries. Only a replay on the default address goes on
      // without its endpoints: replays run side by side.
      if (src.live() || cfg_->http.listen != config::HttpConfig{}.listen) {
        spdlog::error("{} (http.listen in {})", r.error().message, opts_.config_path);
        return kExitRuntime;
      }
      spdlog::warn("{} (a replay: continuing without the HTTP endpoints)", r.error().message);
    }

    asio::signal_set stop_signals(io_, SIGINT, SIGTERM);
    std::function<void()> wait_stop = [&] {
      stop_signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        spdlog::info("signal {}: committing and stopping", sig);
        notifier_.stopping();
        pump.stop();
        wait_stop();
      });
    };
    wait_stop();
    asio::signal_set hup(io_, SIGHUP);
    std::function<void()> wait_hup = [&] {
      hup.async_wait([&](const boost::system::error_code& ec, int) {
        if (ec) return;
        reload();
        wait_hup();
      });
    };
    wait_hup();
    pump.on_stopped([&](int) {
      stop_signals.cancel();
      hup.cancel();
      http.stop();
      io_.stop();
    });
    watch_readiness();
    watchdog();
    pump.start();
    io_.run();
    api_ = nullptr;
    http_ = nullptr;
    return pump.exit_code();
  }

 private:
  Result<void> ensure_producer(const config::Config& c) {
    if (producer_ || !needs_producer(c)) return ok();
    // A reload keeps the running kafka section: a daemon started without one
    // gets a Kafka sink at its next restart.
    if (!c.kafka) return Error{"kafka sinks need the kafka section, read at start-up: restart"};
    auto p = kafka::make_producer(*c.kafka);
    if (!p) return p.error();
    producer_ = std::move(*p);
    poll_producer();
    return ok();
  }

  // Delivery reports are served from the event loop.
  void poll_producer() {
    producer_->poll();
    dispatcher_.schedule(std::chrono::milliseconds(20), [this] { poll_producer(); });
  }

  pipeline::FiringAlerts firing() {
    return [this] {
      return engine_ ? engine_->firing_alerts() : std::vector<pipeline::FiringAlert>{};
    };
  }

  Result<std::vector<pipeline::SinkSlot>> make_sinks(const config::Config& c) {
    pipeline::SinkContext ctx{http_client_.get(), &dispatcher_, firing()};
    std::vector<pipeline::SinkSlot> out;
    for (const auto& s : c.sinks) {
      pipeline::SinkSlot slot{nullptr, s.rate_limit, s.group_wait, s.repeat_interval};
      if (s.type() == config::SinkType::kafka) {
        slot.sink = kafka::make_alert_sink(s, *producer_);
      } else {
        auto sink = pipeline::make_sink(s, ctx);
        if (!sink) return sink.error();
        slot.sink = std::move(*sink);
      }
      out.push_back(std::move(slot));
    }
    return out;
  }

  // A failed write stops the engine (the daemon then exits, see README
  // "Disk full"): not ready from that moment, with the reason.
  std::optional<Error> storage_failure() const {
    if (engine_ && engine_->failure()) return engine_->failure();
    return store_->failure();
  }
  bool ready() const {
    return source_->ready() && !storage_failure() && engine_->warming().empty();
  }
  std::string not_ready_why() const {
    if (auto f = storage_failure()) return "state store failed: " + f->message + "\n";
    if (auto warming = engine_->warming(); !warming.empty()) {
      std::string names;
      for (auto p : warming) {
        if (!names.empty()) names += ", ";
        names += engine_->partition_name(p);
      }
      return fmt::format("warming: {} (restoring from the changelog)\n", names);
    }
    auto why = source_->unready_reason();  // "kafka: no broker reachable ..."
    return why.empty() ? std::string() : why + "\n";
  }

  // Ready once the state is open and the source has its first partitions.
  void watch_readiness() {
    if (source_->ready()) {
      notifier_.ready();
      notifier_.status("consuming");
      spdlog::info("ready");
      return;
    }
    dispatcher_.schedule(std::chrono::milliseconds(100), [this] { watch_readiness(); });
  }

  // Pinged from the event loop itself: a loop stuck anywhere stops the pings.
  void watchdog() {
    auto every = Notifier::watchdog_interval();
    if (!every) return;
    notifier_.watchdog();
    dispatcher_.schedule(*every, [this] { watchdog(); });
  }

  // SIGHUP: the new file is checked first; an invalid one changes nothing.
  void reload() {
    notifier_.reloading();
    const auto started = dispatcher_.steady_now();
    auto refuse = [&](std::string_view why) {
      ++reload_failures_;
      last_reload_ok_ = false;
      spdlog::error("reload refused ({}); the running configuration stays", why);
      notifier_.ready();
    };
    auto loaded = config::load_file(opts_.config_path);
    if (!loaded.errors.empty()) {
      for (const auto& e : loaded.errors) spdlog::error("reload: {}", e.to_string());
      return refuse(fmt::format("{} error(s) in {}", loaded.errors.size(), opts_.config_path));
    }
    auto known = cfg_->expansions;
    known.insert(loaded.config->expansions.begin(), loaded.config->expansions.end());
    set_redactions(known);
    auto next = merge(*cfg_, std::move(*loaded.config));
    std::unique_ptr<pipeline::Classifier> classifier;
    // A model file is read again even when the configuration names the same one, so that
    // SIGHUP picks up a retrained model.
    const bool model_file = next->classifier.method == config::ClassifierMethod::model &&
                            !next->classifier.model.empty();
    if (!(next->classifier == cfg_->classifier) || model_file) {
      auto c = make_classifier(next->classifier);
      if (!c) return refuse("classifier: " + c.error().message);
      classifier = std::move(*c);
    }
    if (auto r = ensure_producer(*next); !r) return refuse(r.error().message);
    auto sinks = make_sinks(*next);
    if (!sinks) return refuse(sinks.error().message);
    if (auto r = engine_->reconfigure(next, classifier.get()); !r) return refuse(r.error().message);
    if (classifier) classifier_ = std::move(classifier);
    outbox_->replace_sinks(std::move(*sinks), next->outbox);
    if (opts_.log_level.empty()) set_log_level(next->log.level);
    if (api_ != nullptr) api_->token = next->http.token;
    cfg_ = std::move(next);
    ++reloads_;
    last_reload_ok_ = true;
    last_reload_success_ = dispatcher_.now();
    auto ms = std::chrono::duration<double, std::milli>(dispatcher_.steady_now() - started);
    spdlog::info("reloaded {} in {:.1f} ms: {} profiles, {} sinks, {} routes", opts_.config_path,
                 ms.count(), cfg_->profiles.size(), cfg_->sinks.size(), cfg_->routes.size());
    notifier_.ready();
  }

  std::string metrics() {
    MetricsSnapshot s{engine_->stats(), pipeline::engine_gauges(*engine_),
                      outbox_->stats(), outbox_->sink_stats(),
                      store_->stats(),  pipeline::source_stats(*source_)};
    if (producer_) s.producer = producer_->stats();
    if (http_ != nullptr) s.http = http_->stats();
    s.daemon = {ready(), reloads_, reload_failures_, last_reload_ok_, last_reload_success_};
    return render_metrics(s);
  }

  RunOptions opts_;
  std::shared_ptr<const config::Config> cfg_;
  // A changelog (kafka.changelog_topic, with a Kafka source): checked (or
  // created) now, so that an unusable one is an error at start.
  Result<void> enable_changelog() {
    if (cfg_->source || !cfg_->kafka || cfg_->kafka->changelog_topic.empty()) return ok();
    const auto& kc = *cfg_->kafka;
    auto topic = kafka::open_changelog(kc, std::chrono::seconds(10));
    if (!topic) return topic.error();
    auto writer = kafka::make_changelog_writer(kc, topic->partitions, dispatcher_);
    if (!writer) return writer.error();
    changelog_ = std::move(*writer);
    pipeline::ChangelogOptions o;
    o.writer = changelog_.get();
    // Test hook, like KILTER_CRASH_AFTER_EVENTS: restores long enough to be
    // interrupted (a rebalance, a kill) for sure.
    if (const char* hold = std::getenv("KILTER_TEST_RESTORE_HOLD_MS"))
      o.restore_hold = std::chrono::milliseconds(std::strtoll(hold, nullptr, 10));
    engine_->enable_changelog(
        o, [kc, this] { return kafka::make_changelog_reader(kc, dispatcher_); },
        std::chrono::seconds(30), kc.standby_replicas > 0);
    spdlog::info("changelog: {} ({} partition(s){})", kc.changelog_topic, topic->partitions,
                 topic->created ? ", created now" : "");
    return ok();
  }

  asio::io_context io_;
  AsioDispatcher dispatcher_{io_};
  Notifier notifier_;
  std::unique_ptr<storage::StateStore> store_;
  std::unique_ptr<pipeline::Classifier> classifier_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<changelog::ChangelogWriter> changelog_;  // outlives the engine
  std::unique_ptr<pipeline::HttpClient> http_client_;
  std::optional<pipeline::Outbox> outbox_;
  std::optional<pipeline::Engine> engine_;
  std::unique_ptr<pipeline::Source> source_;
  ApiContext* api_ = nullptr;
  HttpServer* http_ = nullptr;
  std::uint64_t reloads_ = 0, reload_failures_ = 0;
  bool last_reload_ok_ = true;
  TimePoint last_reload_success_ = SystemClock{}.now();  // the start counts as one
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
  set_redactions(loaded.config->expansions);
  Service service(opts);
  return service.run(std::make_shared<const config::Config>(std::move(*loaded.config)));
}

}  // namespace kilter::daemon

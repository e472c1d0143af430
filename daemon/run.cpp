// `kilterd run`: wiring of the pipeline (config -> store -> classifier -> sinks
// -> outbox -> engine -> source), the HTTP endpoints, signals, and the event loop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/loader.h"
#include "daemon/api.h"
#include "daemon/asio_dispatcher.h"
#include "daemon/commands.h"
#include "daemon/http_server.h"
#include "daemon/logging.h"
#include "daemon/metrics.h"
#include "daemon/pump.h"
#include "http/curl_client.h"
#include "kafka/producer.h"
#include "kafka/sink.h"
#include "kafka/source.h"
#include "pipeline/classifier.h"
#include "pipeline/engine.h"
#include "pipeline/file_source.h"
#include "pipeline/outbox.h"
#include "storage/state_store.h"

namespace kilter::daemon {
namespace {

namespace asio = boost::asio;

bool needs_producer(const config::Config& c) {
  if (c.kafka && !c.source && !c.kafka->dead_letter_topic.empty()) return true;
  for (const auto& s : c.sinks)
    if (s.type == config::SinkType::kafka) return true;
  return false;
}

Result<std::vector<pipeline::SinkSlot>> make_sinks(const config::Config& c,
                                                   const pipeline::SinkContext& ctx,
                                                   kafka::Producer* producer) {
  std::vector<pipeline::SinkSlot> out;
  for (const auto& s : c.sinks) {
    pipeline::SinkSlot slot{nullptr, s.rate_limit, s.group_wait, s.repeat_interval};
    if (s.type == config::SinkType::kafka) {
      slot.sink = kafka::make_alert_sink(s, *producer);
    } else {
      auto sink = pipeline::make_sink(s, ctx);
      if (!sink) return sink.error();
      slot.sink = std::move(*sink);
    }
    out.push_back(std::move(slot));
  }
  return out;
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

// Serves the producer's delivery reports from the event loop.
void poll_producer(Dispatcher& d, kafka::Producer& p) {
  p.poll();
  d.schedule(std::chrono::milliseconds(20), [&d, &p] { poll_producer(d, p); });
}

}  // namespace

int run(const RunOptions& opts) {
  auto loaded = config::load_file(opts.config_path);
  setup_logging(!opts.log_level.empty() ? opts.log_level
                : loaded.config                ? loaded.config->log.level
                                               : "info");
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) spdlog::error("{}", e.to_string());
    return kExitConfig;
  }
  auto cfg = std::make_shared<const config::Config>(std::move(*loaded.config));

  asio::io_context io;
  AsioDispatcher dispatcher(io);
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
  std::unique_ptr<kafka::Producer> producer;
  if (needs_producer(*cfg)) {
    auto p = kafka::make_producer(*cfg->kafka);
    if (!p) {
      spdlog::error("{}", p.error().message);
      return kExitConfig;
    }
    producer = std::move(*p);
    poll_producer(dispatcher, *producer);
  }
  auto http_client = http::make_curl_client(
      {.post = [&dispatcher](std::function<void()> fn) { dispatcher.post(std::move(fn)); }});
  // The engine answers which alerts fire now; it is made after the sinks.
  pipeline::Engine* engine_ptr = nullptr;
  pipeline::FiringAlerts firing = [&engine_ptr] {
    return engine_ptr != nullptr ? engine_ptr->firing_alerts()
                                 : std::vector<pipeline::FiringAlert>{};
  };
  auto sinks = make_sinks(*cfg, {http_client.get(), &dispatcher, firing}, producer.get());
  if (!sinks) {
    spdlog::error("{}", sinks.error().message);
    return kExitConfig;
  }
  pipeline::Outbox outbox(dispatcher, **store, std::move(*sinks), cfg->outbox, firing);
  pipeline::Engine engine(cfg, **store, **classifier, outbox, dispatcher);
  engine_ptr = &engine;
  outbox.restore_all();
  auto source = open_source(*cfg, **store, producer.get());
  if (!source) {
    spdlog::error("source: {}", source.error().message);
    return kExitRuntime;
  }
  auto& src = **source;
  src.set_listener(&engine);
  if (src.live()) engine.set_checkpointer(&src);
  engine.set_bad_input_hook([&src](const pipeline::SourceMessage& m,
                                   const pipeline::DecodeOutcome& o) {
    src.dead_letter(m, pipeline::to_string(o.reason));
  });
  for (auto p : src.partitions()) {
    if (auto position = engine.open_partition(p)) {
      if (auto r = src.seek(p, *position); !r) {
        spdlog::error("source: {}", r.error().message);
        return kExitRuntime;
      }
    }
  }
  spdlog::info("kilterd {} reading {} into {}", KILTER_VERSION, src.describe(), cfg->storage.path);

  PumpOptions popts;
  popts.evaluation_interval =
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg->pipeline.evaluation_interval);
  popts.drain_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
      cfg->outbox.drain_timeout);
  if (const char* crash = std::getenv("KILTER_CRASH_AFTER_EVENTS"))
    popts.crash_after = std::strtoull(crash, nullptr, 10);
  Pump pump(io, src, engine, outbox, dispatcher, popts);

  ApiContext api{engine, **store, [&src] { return src.ready(); }, {}};
  HttpServer http(io, [&api](const HttpRequest& r) { return handle_request(api, r); });
  api.metrics = [&] {
    MetricsSnapshot s{engine.stats(), engine.uncommitted(), outbox.stats(), outbox.sink_stats(),
                      (*store)->stats(), src.lag()};
    if (producer) {
      auto ps = producer->stats();
      s.produced = ps.produced;
      s.produce_failures = ps.failed;
    }
    s.http_requests = http.stats().requests;
    s.ready = src.ready();
    return render_metrics(s);
  };
  if (auto r = http.listen(cfg->http.listen); !r) {
    // A replay is useful without its endpoints; a daemon is not.
    if (src.live()) {
      spdlog::error("http: {}", r.error().message);
      return kExitRuntime;
    }
    spdlog::warn("http: {} (continuing without the HTTP endpoints)", r.error().message);
  }

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: committing and stopping", sig);
    pump.stop();
  });
  pump.on_stopped([&](int) {
    signals.cancel();
    http.stop();
    io.stop();
  });
  pump.start();
  io.run();
  return pump.exit_code();
}

}  // namespace kilter::daemon

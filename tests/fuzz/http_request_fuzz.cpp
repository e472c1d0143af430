// Raw bytes sent to the daemon's HTTP server, as a client on loopback would send
// them, with the API router (daemon/server/api.h) behind it over an engine and a real
// store holding a few accounts and a firing alert. The input is written on one
// connection, which is then half-closed; the server must answer well-formed
// responses (any number: pipelined requests, or none for an incomplete one) and
// close the connection, never crash or hang. The real server runs, unchanged: its
// Beast parser limits, target decoding, HEAD, 100-continue, keep-alive and error
// paths are all exercised.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "common/dispatcher.h"
#include "config/loader.h"
#include "daemon/server/api.h"
#include "daemon/server/http_server.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/engine/engine.h"
#include "storage/state_store.h"
#include "tests/fuzz/fuzz_input.h"

using namespace kilter;
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr const char* kConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1s}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: chatter, metric: posts, window: 1d, min: 1, max: 2}
      - {name: pushy, metric: promotional_share, window: 7d, max: 0.5}
default_profile: brand
)";

class NullSink final : public pipeline::Sink {
 public:
  const std::string& name() const override { return name_; }
  void deliver(std::span<const pipeline::AlertRef>,
               std::function<void(pipeline::SinkResult)> done) override {
    done({true, false, {}, {}});
  }

 private:
  std::string name_ = "log";
};

// The daemon's pieces, once per process: an engine with three accounts (one
// firing "chatter"), the API behind a server listening on an ephemeral port.
struct World {
  World() {
    dir =
        std::filesystem::temp_directory_path() / ("kilter-fuzz-http-" + std::to_string(::getpid()));
    auto loaded = config::load_string(kConfig, "k.yaml", dir.string());
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
    FUZZ_CHECK(loaded.config.has_value());
    cfg = std::make_shared<const config::Config>(*loaded.config);
    auto s = storage::open_rocks_store({.path = cfg->storage.path});
    FUZZ_CHECK(s.ok());
    store = std::move(*s);
    auto c = pipeline::make_lexicon_classifier({});
    FUZZ_CHECK(c.ok());
    classifier = std::move(*c);
    std::vector<pipeline::SinkSlot> sinks;
    sinks.push_back({std::make_unique<NullSink>(), 0, Millis{0}, Millis{0}});
    outbox = std::make_unique<pipeline::Outbox>(clock, *store, std::move(sinks), cfg->outbox);
    engine = std::make_unique<pipeline::Engine>(cfg, *store, *classifier, *outbox, clock);
    const Partition p{0};
    engine->open_partition(p);
    const char* accounts[] = {"acme", "globex", "acme", "acme", "a/b c", "acme"};
    std::int64_t offset = 0;
    for (const char* a : accounts) {
      std::string payload = R"({"type":"post","id":"e)" + std::to_string(offset) +
                            R"(","account":")" + a + R"(","ts":1763625600000,"post_id":"p)" +
                            std::to_string(offset) +
                            R"(","text":"our new release https://x.io","category":"promotional"})";
      pipeline::SourceMessage m;
      m.partition = p;
      m.offset = Offset{offset};
      m.next = Offset{offset + 1};
      m.payload = payload;
      m.capacity = payload.size();
      engine->process(m);
      ++offset;
    }
    FUZZ_CHECK(engine->commit().ok());
    ctx = std::make_unique<daemon::ApiContext>(
        daemon::ApiContext{*engine, *store, [] { return true; },
                           [] { return std::string("kilter_up 1\n"); }, "fuzz-token"});
    daemon::HttpServerOptions opts;
    opts.max_header_bytes = 2048;  // small limits, so that the fuzzer reaches them
    opts.max_body_bytes = 1024;
    server = std::make_unique<daemon::HttpServer>(
        io, [this](const daemon::HttpRequest& r) { return daemon::handle_request(*ctx, r); }, opts);
    FUZZ_CHECK(server->listen("127.0.0.1:0").ok());
  }
  ~World() {
    server.reset();
    engine.reset();
    outbox.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::filesystem::path dir;
  std::shared_ptr<const config::Config> cfg;
  SimulatedDispatcher clock;
  std::unique_ptr<storage::StateStore> store;
  std::unique_ptr<pipeline::Classifier> classifier;
  std::unique_ptr<pipeline::Outbox> outbox;
  std::unique_ptr<pipeline::Engine> engine;
  std::unique_ptr<daemon::ApiContext> ctx;
  asio::io_context io;
  std::unique_ptr<daemon::HttpServer> server;
};

World& world() {
  // Never destroyed (the fuzzer exits without unwinding); its state directory is
  // removed at exit all the same.
  static World* w = [] {
    auto* made = new World;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(world().dir, ec);
    });
    return made;
  }();
  return *w;
}

// Every response the server sent must parse; a HEAD has no body to read.
void check_responses(const std::string& bytes, bool head_first) {
  boost::beast::flat_buffer buf;
  buf.commit(asio::buffer_copy(buf.prepare(bytes.size()), asio::buffer(bytes)));
  bool first = true;
  while (buf.size() > 0) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    if (first && head_first) parser.skip(true);
    first = false;
    boost::beast::error_code ec;
    while (!parser.is_done() && buf.size() > 0) {
      auto n = parser.put(buf.data(), ec);
      if (ec == http::error::need_more) break;
      FUZZ_CHECK(!ec);
      buf.consume(n);
    }
    FUZZ_CHECK(parser.is_done());
    auto status = parser.get().result_int();
    FUZZ_CHECK(status >= 100 && status <= 599);
    if (status == 100) continue;
    if (parser.get().keep_alive() == false) break;
    // Later responses may answer pipelined HEAD requests: stop there rather than
    // guessing which requests the server saw.
    break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;  // stays within the socket buffers: no blocking write
  World& w = world();
  tcp::socket client(w.io);
  boost::system::error_code ec;
  client.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), w.server->port()), ec);
  FUZZ_CHECK(!ec);
  asio::write(client, asio::buffer(data, size), ec);
  FUZZ_CHECK(!ec);
  client.shutdown(tcp::socket::shutdown_send, ec);
  std::string answer;
  bool closed = false;
  asio::async_read(client, asio::dynamic_buffer(answer),
                   [&](boost::system::error_code, std::size_t) { closed = true; });
  w.io.restart();
  while (!closed) w.io.run_one();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  check_responses(answer, in.starts_with("HEAD "));
  return 0;
}

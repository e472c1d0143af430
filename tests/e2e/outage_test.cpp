// The webhook receiver is down (503) while kilterd replays, and kilterd is
// killed with SIGKILL on the way. Once the receiver is back, a run on the same
// state delivers every alert of an uninterrupted run: nothing is lost.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "daemon/server/http_server.h"
#include "tests/e2e/events.h"
#include "tests/e2e/harness.h"

namespace kilter::testing {
namespace {

namespace asio = boost::asio;

// Records every alert posted to it; answers 503 until told it is back.
class Receiver {
 public:
  Receiver() : server_(io_, [this](const daemon::HttpRequest& r) { return handle(r); }) {
    EXPECT_TRUE(server_.listen("127.0.0.1:0").ok());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    asio::post(io_, [this] { server_.stop(); });
    io_.stop();
    thread_.join();
  }
  int port() const { return server_.port(); }
  void up() { up_ = true; }
  std::vector<std::string> taken() {
    std::lock_guard lock(mu_);
    return taken_;
  }
  std::size_t refused() const { return refused_; }

 private:
  daemon::HttpResponse handle(const daemon::HttpRequest& r) {
    if (!up_) {
      ++refused_;
      return {503, "text/plain", "down for maintenance", {}};
    }
    std::lock_guard lock(mu_);
    taken_.push_back(r.body);
    return {200, "text/plain", "ok", {}};
  }
  asio::io_context io_;
  daemon::HttpServer server_;
  std::thread thread_;
  std::atomic<bool> up_{false};
  std::atomic<std::size_t> refused_{0};
  std::mutex mu_;
  std::vector<std::string> taken_;
};

std::string config(int port, const std::string& drain_timeout) {
  return "source: {file: ../events.ndjson}\n"
         "storage: {path: state, commit_max_events: 4000}\n"
         "accounts:\n  - {match: \"exec-*\", profile: voice}\n"
         "outbox: {drain_timeout: " +
         drain_timeout +
         ", retry_initial: 50ms, retry_max: 200ms}\n"
         "sinks:\n"
         "  - {type: file, path: alerts.ndjson}\n"
         "  - {type: webhook, url: \"http://127.0.0.1:" +
         std::to_string(port) + "/hook\"}\n";
}

std::vector<std::string> args(const fs::path& dir) {
  return {KILTERD_BIN, "run", "--config", (dir / "kilter.yaml").string(), "--log-level", "warn"};
}

TEST(Outage, EveryAlertReachesTheWebhookOnceItIsBackDespiteAKillNine) {
  TempDir root;
  write_file(root / "events.ndjson", make_events(40'000));
  Receiver receiver;
  auto reference = root / "reference";
  auto dir = root / "crashed";
  fs::create_directories(reference);
  fs::create_directories(dir);
  // The reference has only the file sink.
  write_file(reference / "kilter.yaml",
             "source: {file: ../events.ndjson}\nstorage: {path: state}\n"
             "accounts:\n  - {match: \"exec-*\", profile: voice}\n"
             "sinks: [{type: file, path: alerts.ndjson}]\n");
  ASSERT_EQ(run(args(reference), reference / "out", reference / "err").code, 0)
      << read_file(reference / "err");
  auto want = alert_keys(read_lines(reference / "alerts.ndjson"));
  ASSERT_FALSE(want.empty());

  write_file(dir / "kilter.yaml", config(receiver.port(), "1s"));
  // Killed mid-replay, with the receiver down.
  auto killed = run(args(dir), dir / "out", dir / "err", {"KILTER_CRASH_AFTER_EVENTS=25000"});
  ASSERT_TRUE(killed.signaled) << read_file(dir / "err");
  // To the end of the file; the outbox cannot drain and the run says so.
  ASSERT_EQ(run(args(dir), dir / "out", dir / "err").code, 0) << read_file(dir / "err");
  EXPECT_NE(read_file(dir / "err").find("not delivered to every sink"), std::string::npos)
      << read_file(dir / "err");
  EXPECT_GT(receiver.refused(), 0u);
  EXPECT_TRUE(receiver.taken().empty());

  // Back: a run on the same state has nothing new to read, only alerts to deliver.
  receiver.up();
  write_file(dir / "kilter.yaml", config(receiver.port(), "60s"));
  ASSERT_EQ(run(args(dir), dir / "out", dir / "err").code, 0) << read_file(dir / "err");

  auto got = alert_keys(receiver.taken());
  std::set<AlertKey> want_set(want.begin(), want.end()), got_set(got.begin(), got.end());
  EXPECT_EQ(got_set, want_set) << "every alert of the uninterrupted run, and no other";
  // The file sink was never down: it has them all too.
  auto file = alert_keys(read_lines(dir / "alerts.ndjson"));
  EXPECT_EQ(std::set<AlertKey>(file.begin(), file.end()), want_set);
}

}  // namespace
}  // namespace kilter::testing

// Connection bounds: idle clients cannot lock the health and metrics endpoints
// out, one client cannot take every slot, slow clients are closed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/server/http_server.h"
#include "tests/daemon/server/http_fixture.h"

namespace kilter::daemon {
namespace {

using namespace kilter::daemon::http_test;  // NOLINT

// Sends `text` one byte at a time with a pause between bytes; true when the
// server closed the connection before the end (a write failed). The pause
// paces the client; nothing is measured.
bool dribble(Client& c, std::string_view text, std::chrono::milliseconds pause) {
  for (char ch : text) {
    if (c.send(std::string_view(&ch, 1))) return true;
    std::this_thread::sleep_for(pause);
  }
  return false;
}

// A connected TCP socket that never sends anything (one descriptor each, so
// hundreds fit in the usual 1024-descriptor limit).
class IdleSocket {
 public:
  explicit IdleSocket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~IdleSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  IdleSocket(const IdleSocket&) = delete;
  IdleSocket& operator=(const IdleSocket&) = delete;
  bool connected() const { return connected_; }

 private:
  int fd_;
  bool connected_ = false;
};

TEST_F(HttpServerTest, ThreeHundredIdleConnectionsLeaveHealthAnswering) {
  start();  // the defaults: what the daemon runs with
  std::vector<std::unique_ptr<IdleSocket>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<IdleSocket>(port_));
    ASSERT_TRUE(idle.back()->connected()) << i;
  }
  ASSERT_TRUE(eventually([&] {
    auto s = stats();
    return s.evicted_connections + s.open_connections >= 300;
  }));  // every one accepted
  Client health(port_);
  auto res = health.request(get("/-/healthy"));
  EXPECT_EQ(res.result_int(), 200);
  auto s = stats();
  EXPECT_LE(s.open_connections, HttpServerOptions{}.max_connections);
  EXPECT_GT(s.evicted_connections, 0u);
}

TEST_F(HttpServerTest, AtTheTotalBoundTheOldestIdleConnectionMakesRoom) {
  start({.max_connections = 3, .max_connections_per_client = 100});
  Client a(port_, "127.0.0.2");
  EXPECT_EQ(a.request(get("/a")).result_int(), 200);  // kept alive, idle again
  Client b(port_, "127.0.0.3");
  Client c(port_, "127.0.0.4");
  ASSERT_TRUE(eventually([&] { return stats().open_connections == 3; }));
  Client d(port_, "127.0.0.5");
  EXPECT_EQ(d.request(get("/d")).result_int(), 200);
  EXPECT_TRUE(a.closed_by_server());  // the oldest idle one
  EXPECT_EQ(b.request(get("/b")).result_int(), 200);
  auto s = stats();
  EXPECT_EQ(s.evicted_connections, 1u);
  EXPECT_EQ(s.rejected_connections, 0u);
}

TEST_F(HttpServerTest, OneClientCannotTakeOtherClientsSlots) {
  start({.max_connections = 4, .max_connections_per_client = 2});
  Client other(port_, "127.0.0.9");
  ASSERT_TRUE(eventually([&] { return stats().open_connections == 1; }));
  std::vector<std::unique_ptr<Client>> greedy;
  for (int i = 0; i < 10; ++i) greedy.push_back(std::make_unique<Client>(port_, "127.0.0.8"));
  // The greedy client's newest connection is served; its older ones made room.
  EXPECT_EQ(greedy.back()->request(get("/mine")).result_int(), 200);
  EXPECT_TRUE(greedy.front()->closed_by_server());
  // The other client was never evicted, although the total bound was in reach.
  EXPECT_EQ(other.request(get("/other")).result_int(), 200);
  EXPECT_LE(stats().open_connections, 3u);
}

TEST_F(HttpServerTest, SlowHeaderClientIsClosedAfterTheRequestTimeout) {
  start({.request_timeout = std::chrono::milliseconds(200)});
  Client slow(port_);
  // A slowloris: a header byte every 50 ms would take 10 s to finish.
  std::string header = get("/slow", std::string(150, 'x') + ": y\r\n");
  EXPECT_TRUE(dribble(slow, header, std::chrono::milliseconds(50)));
  EXPECT_TRUE(seen().empty());
}

TEST_F(HttpServerTest, SilentClientIsClosedAfterTheIdleTimeout) {
  start({.idle_timeout = std::chrono::milliseconds(100)});
  Client silent(port_);
  EXPECT_TRUE(silent.closed_by_server());
  EXPECT_TRUE(eventually([&] { return stats().open_connections == 0; }));
}

}  // namespace
}  // namespace kilter::daemon

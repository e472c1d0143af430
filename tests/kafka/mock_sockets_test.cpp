// The dev broker answers like a Kafka broker, without Nagle's delay: its
// listeners, and every connection they accept, have TCP_NODELAY (also after a
// broker went down and came back, which replaces its listener).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "kafka/mock_cluster.h"
#include "kafka/mock_sockets.h"

namespace kilter::kafka {
namespace {

using namespace std::chrono_literals;

bool no_delay(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  EXPECT_EQ(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
  return on != 0;
}

// A socket listening on 127.0.0.1 at an ephemeral port; closed with the object.
struct Listening {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  Listening() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof a;
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
  }
  ~Listening() { ::close(fd); }
};

// A client connection to 127.0.0.1:port; closed with the object.
struct Client {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  explicit Client(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~Client() { ::close(fd); }
};

TEST(MockSockets, PortsOfABootstrapList) {
  EXPECT_EQ(detail::ports_of("127.0.0.1:9092,127.0.0.1:9093"), (std::set<int>{9092, 9093}));
  EXPECT_EQ(detail::ports_of("[::1]:9094"), (std::set<int>{9094}));
  EXPECT_TRUE(detail::ports_of("").empty());
  EXPECT_TRUE(detail::ports_of("localhost,127.0.0.1:x,127.0.0.1:12a").empty());
}

TEST(MockSockets, OnlyTheListenersOnThePortsGiven) {
  Listening mine, other;
  ASSERT_FALSE(no_delay(mine.fd));
  EXPECT_EQ(detail::no_delay_listeners({mine.port}), 1);
  EXPECT_TRUE(no_delay(mine.fd));
  EXPECT_FALSE(no_delay(other.fd));
  // A client's socket is not a listener: left as it is.
  Client client(mine.port);
  EXPECT_EQ(detail::no_delay_listeners({mine.port}), 1);
  EXPECT_FALSE(no_delay(client.fd));
}

int port_of(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  auto* addr = reinterpret_cast<sockaddr*>(&a);
  if ((peer ? ::getpeername(fd, addr, &len) : ::getsockname(fd, addr, &len)) != 0) return -1;
  return ntohs(a.sin_port);
}

bool listening(int fd) {
  int on = 0;
  socklen_t len = sizeof on;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == 0 && on != 0;
}

// The cluster's listeners, and the connection it accepted from a new client.
void expect_all_no_delay(MockCluster& mc) {
  const auto ports = detail::ports_of(mc.bootstraps());
  std::size_t listeners = 0;
  for (const int fd : detail::sockets_on(ports))
    if (listening(fd)) {
      ++listeners;
      EXPECT_TRUE(no_delay(fd)) << "listener on port " << port_of(fd, false);
    }
  EXPECT_EQ(listeners, static_cast<std::size_t>(mc.brokers()));
  Client client(*ports.begin());
  const int from = port_of(client.fd, false);
  // The mock accepts on a thread of its own: wait (bounded) for the connection.
  int accepted = -1;
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (accepted < 0 && std::chrono::steady_clock::now() < until) {
    for (const int fd : detail::sockets_on(ports))
      if (!listening(fd) && port_of(fd, true) == from) accepted = fd;
    if (accepted < 0) std::this_thread::sleep_for(5ms);
  }
  ASSERT_GE(accepted, 0) << "the mock never accepted the connection";
  EXPECT_TRUE(no_delay(accepted)) << "the accepted connection did not inherit TCP_NODELAY";
}

TEST(MockSockets, TheDevBrokerAnswersWithoutNaglesDelay) {
  auto cluster = start_mock_cluster(2);
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  expect_all_no_delay(**cluster);
  ASSERT_TRUE((*cluster)->set_down(MockCluster::kAllBrokers).ok());
  ASSERT_TRUE((*cluster)->set_up(MockCluster::kAllBrokers).ok());
  expect_all_no_delay(**cluster);
}

}  // namespace
}  // namespace kilter::kafka

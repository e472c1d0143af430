// Test support for the curl client: a loopback receiver that scripts its answers,
// an executor standing in for the event loop, and the fixture.
#pragma once
#include "http/curl_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kilter::http::testing {

using namespace std::chrono_literals;  // NOLINT: test support
using pipeline::HttpClient;
using pipeline::OutboundRequest;
using pipeline::OutboundResponse;
using Clock = std::chrono::steady_clock;

// Polls a condition owned by other threads; the deadline only bounds a failing test.
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  const auto deadline = Clock::now() + limit;
  while (!cond()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Stands in for the daemon's event loop: completions run on the test thread.
class Executor {
 public:
  void post(std::function<void()> fn) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(fn));
    cv_.notify_all();
  }

  bool run_until(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      if (cond()) return true;
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        if (!cv_.wait_until(lock, deadline, [&] { return !queue_.empty(); })) return cond();
        fn = std::move(queue_.front());
        queue_.pop_front();
      }
      fn();
    }
  }

  void drain() {
    run_until([this] { return pending() == 0; }, 0ms);
  }

  std::size_t pending() {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Received {
  std::string method, target;
  Headers headers;  // names lower-cased
  std::string body;

  std::optional<std::string> header(const std::string& name) const {
    auto it =
        std::find_if(headers.begin(), headers.end(), [&](auto& h) { return h.first == name; });
    return it == headers.end() ? std::nullopt : std::optional(it->second);
  }
};

struct Reply {
  int status = 200;  // 0: never answer
  Headers headers;
  std::string body;
  std::chrono::milliseconds delay{0};
};

inline Reply reply(int status, std::string body = {}, Headers headers = {},
                   std::chrono::milliseconds delay = {}) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.delay = delay;
  return r;
}

inline Reply silent(const Received&) {
  return reply(0);
}

// A TCP socket bound to 127.0.0.1 on a port the kernel picks.
inline int loopback_socket(int& port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  port = ntohs(a.sin_port);
  return s;
}

// A loopback HTTP/1.1 receiver: records every request and answers per `script`.
class Receiver {
 public:
  explicit Receiver(std::function<Reply(const Received&)> script) : script_(std::move(script)) {
    EXPECT_EQ(pipe(stop_), 0);
    fd_ = loopback_socket(port_);
    EXPECT_EQ(listen(fd_, 128), 0);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~Receiver() {
    EXPECT_EQ(write(stop_[1], "x", 1), 1);
    acceptor_.join();
    for (auto& t : conns_) t.join();
    for (int fd : {fd_, stop_[0], stop_[1]}) close(fd);
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<Received> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::size_t count() { return requests().size(); }
  int max_concurrent() {
    std::lock_guard lock(mu_);
    return max_busy_;
  }

 private:
  // Waits for `fd` to be readable; false when the receiver stops first.
  bool readable(int fd, int timeout_ms = -1) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (poll(p, 2, timeout_ms) <= 0) return false;
    return (p[1].revents & POLLIN) == 0 && p[0].revents != 0;
  }

  void accept_loop() {
    while (readable(fd_)) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      conns_.emplace_back([this, c] {
        serve(c);
        close(c);
      });
    }
  }

  // Reads more into `buf`; false on EOF, error or stop.
  bool fill(int c, std::string& buf) {
    if (!readable(c)) return false;
    char chunk[16384];
    ssize_t n = read(c, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  void serve(int c) {
    std::string buf;
    for (;;) {
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos)
        if (!fill(c, buf)) return;
      Received r;
      std::size_t line_end = buf.find("\r\n");
      std::string line = buf.substr(0, line_end);
      r.method = line.substr(0, line.find(' '));
      r.target = line.substr(r.method.size() + 1, line.rfind(' ') - r.method.size() - 1);
      std::size_t content_length = 0;
      for (std::size_t at = line_end + 2; at < end;) {
        std::size_t next = buf.find("\r\n", at);
        std::string h = buf.substr(at, next - at);
        std::string name = h.substr(0, h.find(':'));
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        std::string value = h.substr(std::min(h.size(), name.size() + 1));
        value.erase(0, value.find_first_not_of(' '));
        if (name == "content-length") content_length = std::stoul(value);
        r.headers.emplace_back(name, value);
        at = next + 2;
      }
      buf.erase(0, end + 4);
      while (buf.size() < content_length)
        if (!fill(c, buf)) return;
      r.body = buf.substr(0, content_length);
      buf.erase(0, content_length);
      if (!answer(c, r)) return;
    }
  }

  bool answer(int c, const Received& r) {
    Reply reply = script_(r);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
      max_busy_ = std::max(max_busy_, ++busy_);
    }
    if (reply.delay.count() > 0) readable(stop_[0], static_cast<int>(reply.delay.count()));
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
    for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
    bool open = reply.status != 0;
    for (std::string_view rest = out; open && !rest.empty();) {
      ssize_t n = ::send(c, rest.data(), rest.size(), MSG_NOSIGNAL);
      open = n > 0;
      if (open) rest.remove_prefix(static_cast<std::size_t>(n));
    }
    // Status 0 holds the connection unanswered until the client hangs up.
    while (reply.status == 0 && fill(c, out)) {
    }
    std::lock_guard lock(mu_);
    --busy_;
    return open;
  }

  std::function<Reply(const Received&)> script_;
  int fd_ = -1;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> conns_;  // the acceptor's until it is joined
  std::mutex mu_;
  std::vector<Received> requests_;
  int busy_ = 0, max_busy_ = 0;
};

// A loopback port nobody listens on.
inline int closed_port() {
  int port = 0;
  close(loopback_socket(port));
  return port;
}

constexpr const char* kSecret = "T0SECRET/B0SECRET/xoxbSuperSecretToken";

class CurlClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Hermetic whatever the CI environment says about proxies; no client thread runs yet.
    setenv("no_proxy", "127.0.0.1,localhost", 1);
  }

  std::unique_ptr<HttpClient> client(std::size_t max_in_flight = 16) {
    CurlOptions o;
    o.post = [this](std::function<void()> fn) { ex_.post(std::move(fn)); };
    o.max_in_flight = max_in_flight;
    o.user_agent = "kilter-test/1";
    return make_curl_client(std::move(o));
  }

  OutboundResponse exchange(HttpClient& c, OutboundRequest req) {
    std::optional<OutboundResponse> got;
    c.send(std::move(req), [&](OutboundResponse r) { got = std::move(r); });
    EXPECT_TRUE(ex_.run_until([&] { return got.has_value(); }));
    return got.value_or(OutboundResponse{});
  }

  static OutboundRequest request(std::string url, std::string method = "POST",
                                 std::chrono::milliseconds timeout = 10s) {
    OutboundRequest r;
    r.url = std::move(url);
    r.method = std::move(method);
    r.timeout = timeout;
    return r;
  }

  Executor ex_;
};

}  // namespace kilter::http::testing

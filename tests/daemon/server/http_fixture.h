// Shared by the HTTP server tests: a bounded blocking client and a fixture that
// runs the server on its own thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "daemon/server/http_server.h"

namespace kilter::daemon::http_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Generous on purpose: it bounds a broken test, it is never what a test measures.
constexpr std::chrono::seconds kDeadline{10};

using Response = http::response<http::string_body>;

// A blocking-style client on its own io_context, so that every operation is
// bounded by kDeadline: a misbehaving server fails a test instead of hanging it.
class Client {
 public:
  beast::error_code connect_error;

  // `from`: the local address to connect from (127.0.0.2 makes another client).
  explicit Client(std::uint16_t port, const char* from = nullptr) {
    tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
    if (from != nullptr) {
      beast::error_code ec;
      stream_.socket().open(tcp::v4(), ec);
      stream_.socket().bind(tcp::endpoint(asio::ip::make_address(from), 0), ec);
      EXPECT_FALSE(ec) << "binding the client to " << from << ": " << ec.message();
    }
    connect_error = wait([&](auto done) { stream_.async_connect(server, done); });
  }

  beast::error_code send(std::string_view raw) {
    return wait(
        [&](auto done) { asio::async_write(stream_, asio::buffer(raw.data(), raw.size()), done); });
  }

  // Reads one response; a HEAD response must be parsed knowing it has no body.
  Response read(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);
    parser.body_limit(boost::none);
    auto ec = wait([&](auto done) { http::async_read(stream_, buffer_, parser, done); });
    EXPECT_FALSE(ec) << "reading a response: " << ec.message();
    return parser.release();
  }

  Response request(std::string_view raw, bool head = false) {
    auto ec = send(raw);
    EXPECT_FALSE(ec) << "sending a request: " << ec.message();
    return read(head);
  }

  // Reads until the server closes the connection; true when it did so within
  // the deadline without sending anything more.
  bool closed_by_server() {
    std::array<char, 1024> scratch{};
    std::size_t extra = buffer_.size();
    beast::error_code ec;
    while (!ec) {
      ec = wait([&](auto done) {
        stream_.async_read_some(asio::buffer(scratch),
                                [&, done](beast::error_code e, std::size_t n) {
                                  extra += n;
                                  done(e);
                                });
      });
    }
    EXPECT_EQ(extra, 0u) << "unexpected bytes before the close";
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  // Starts one operation with a completion handler and runs it to the end.
  template <class Start>
  beast::error_code wait(Start start) {
    beast::error_code result;
    stream_.expires_after(kDeadline);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
};

inline std::string get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

inline HttpResponse default_handler(const HttpRequest& req) {
  if (req.path == "/missing") return {404, "text/plain", "no such thing\n", {}};
  if (req.path == "/throw") throw std::runtime_error("handler exploded");
  auto echo = req.method + " " + req.path + (req.body.empty() ? "" : " " + req.body);
  return {200, "application/json", echo, {{"X-Test", "yes"}}};
}

// The server runs on a background thread; everything that touches it (or the
// requests its handler recorded) goes through on_io, keeping it single-threaded.
class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions opts = {}) {
    server_ = std::make_unique<HttpServer>(
        io_,
        [this](const HttpRequest& req) {
          seen_.push_back(req);
          return handler_(req);
        },
        opts);
    auto r = server_->listen("127.0.0.1:0");
    ASSERT_TRUE(r.ok()) << r.error().message;
    port_ = server_->port();
    ASSERT_NE(port_, 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (!thread_.joinable()) return;
    on_io([this] { server_.reset(); });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  template <class F>
  auto on_io(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto done = task.get_future();
    asio::post(io_, [&task] { task(); });
    if (done.wait_for(kDeadline) != std::future_status::ready) {
      std::fputs("http_server_test: the io_context thread is stuck\n", stderr);
      std::abort();  // the posted task still refers to this frame
    }
    return done.get();
  }

  HttpServer::Stats stats() {
    return on_io([this] { return server_->stats(); });
  }

  std::vector<HttpRequest> seen() {
    return on_io([this] { return seen_; });
  }

  // Polls a condition; the sleep paces the polling and decides nothing.
  template <class Pred>
  bool eventually(Pred pred) {
    auto until = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::thread thread_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  HttpHandler handler_ = default_handler;
  std::vector<HttpRequest> seen_;  // io thread only
};

}  // namespace kilter::daemon::http_test

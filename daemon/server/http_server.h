// A small HTTP/1.1 server for the daemon's own endpoints (metrics, API).
//
// Threading: everything runs on the io_context given to the constructor, and
// that io_context is expected to be run by a single thread. The handler is
// called on that thread, so it may read daemon state without locks. Every
// member function must be called on that thread too (or while the io_context
// is not running).
//
// HEAD: the handler is called as for GET (request.method == "GET"), and the
// server sends the resulting headers, Content-Length included, without the
// body. Handlers therefore never need a HEAD branch.
//
// Content-Length is set on every response except 204 (RFC 9110 forbids it).
// Malformed requests get 400, oversized headers 431, oversized bodies 413, a
// throwing handler 500; protocol errors then close the connection, after
// briefly draining input so the client can read the answer.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace kilter::daemon {

namespace detail {
struct HttpServerState;  // shared with the connections, so they can outlive the server safely
}

struct HttpRequest {
  std::string method;  // "GET", "POST", ...; HEAD arrives as "GET" (see above)
  std::string target;  // raw request target, "/api/v1/accounts/a%2Fb?x=1"
  std::string path;    // percent-decoded path without the query: "/api/v1/accounts/a/b"
  // Path split on '/', each segment percent-decoded separately, empty segments
  // dropped: {"api","v1","accounts","a/b"}; "/" gives {}.
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;  // decoded ('+' is a space), last one wins
  std::string authorization;                 // the Authorization header, empty when absent
  std::vector<std::pair<std::string, std::string>> headers;  // every header, as sent
  std::string body;
};

struct HttpResponse {
  int status = 200;  // 200..599; anything else is answered as a 500
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. Content-Length, Transfer-Encoding and Connection belong to
  // the server (framing) and are ignored here.
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  // Open connections in all. At the bound a new connection closes the one that
  // has waited longest for its client (idle ones first) instead of being
  // refused, so idle clients cannot lock /-/healthy and /metrics out.
  std::size_t max_connections = 256;
  // Open connections from one peer address; at the bound a new connection from
  // it closes that peer's oldest one, so one client never takes others' slots.
  std::size_t max_connections_per_client = 32;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 64 * 1024;
  // Waiting for a request to start, on a new or a kept-alive connection.
  std::chrono::milliseconds idle_timeout{30'000};
  std::chrono::milliseconds request_timeout{10'000};  // reading one request / writing one response
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpHandler handler, HttpServerOptions opts = {});
  ~HttpServer();  // closes the listener and every connection
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "127.0.0.1:9464", "[::1]:0", "0.0.0.0:8080", "localhost:8080"; port 0
  // picks a free port. Numeric addresses only (besides "localhost"): a daemon
  // should not block on DNS at startup. Callable once per server.
  Result<void> listen(std::string_view host_port);
  std::uint16_t port() const;   // the bound port, 0 before listen()
  std::string address() const;  // "127.0.0.1:43127", "[::1]:43127"; empty before listen()
  // Stops accepting and closes every connection; idempotent and final.
  void stop();

  struct Stats {
    std::uint64_t requests = 0;              // requests handed to the handler
    std::uint64_t rejected_connections = 0;  // closed at once: no connection could make room
    std::uint64_t evicted_connections = 0;   // closed to make room for a new one
    std::uint64_t bad_requests = 0;          // answered 400 / 413 / 431 by the server itself
    std::size_t open_connections = 0;
  };
  Stats stats() const;

 private:
  std::shared_ptr<detail::HttpServerState> state_;
};

}  // namespace kilter::daemon

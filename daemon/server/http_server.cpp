#include "daemon/server/http_server.h"

#include "daemon/server/http_parse.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace kilter::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using http_parse::iequals;
using http_parse::parse_endpoint;
using http_parse::parse_target;
using http_parse::sendable_header;

class Session;

// After an error response the client may still be sending (an oversized body,
// say). Closing with unread input makes the kernel send a RST, which can
// destroy the response before the client reads it; so we half-close and
// discard input for a bounded time and volume first. A clean "Connection:
// close" skips this unless more input is already buffered: lingering there
// would only hold the slot of a client that does not close promptly.
constexpr std::chrono::milliseconds kLingerTime{2'000};
constexpr std::size_t kLingerBytes = 1024 * 1024;
constexpr std::size_t kIdleReadBytes = 8 * 1024;
constexpr std::size_t kMaxLoggedErrors = 64;
constexpr std::chrono::seconds kWarnInterval{60};
constexpr std::chrono::milliseconds kAcceptRetry{100};

// Lets a repeated condition (overload, accept failures) be logged once per
// interval instead of once per connection.
bool warn_due(std::chrono::steady_clock::time_point& next) {
  auto now = std::chrono::steady_clock::now();
  if (now < next) return false;
  next = now + kWarnInterval;
  return true;
}

}  // namespace

namespace detail {

struct HttpServerState {
  HttpServerState(asio::io_context& io_, HttpHandler handler_, HttpServerOptions opts_)
      : acceptor(io_), retry(io_), handler(std::move(handler_)), opts(opts_) {}

  // Logs a failure the first time its key is seen. Keys must not carry request
  // data, or clients could flood the log; forgetting all keys when the set is
  // full bounds memory and still lets new failures through.
  void log_error_once(const std::string& key, std::string_view detail = {}) {
    if (logged_errors.size() >= kMaxLoggedErrors) logged_errors.clear();
    if (logged_errors.insert(key).second) spdlog::error("http: {}{}", key, detail);
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  HttpHandler handler;
  HttpServerOptions opts;
  bool stopped = false;
  std::string address;
  std::uint16_t port = 0;
  HttpServer::Stats stats;
  std::unordered_set<Session*> sessions;
  std::unordered_map<std::string, std::size_t> per_client;  // open connections by peer address
  std::size_t open = 0;        // sessions not yet closed (closing ones may linger in `sessions`)
  std::uint64_t sequence = 0;  // orders the sessions' waits: lower waited longer
  std::unordered_set<std::string> logged_errors;
  std::chrono::steady_clock::time_point next_overload_warn{};
  std::chrono::steady_clock::time_point next_accept_warn{};
};

}  // namespace detail

namespace {

using State = detail::HttpServerState;

// One connection. Owned by its pending asynchronous operation (shared_from_this),
// registered in the state so stop() can close it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(std::shared_ptr<State> state, tcp::socket socket, std::string peer)
      : state_(std::move(state)), stream_(std::move(socket)), peer_(std::move(peer)) {
    state_->sessions.insert(this);
    ++state_->per_client[peer_];
    ++state_->open;
  }
  ~Session() {
    release();
    state_->sessions.erase(this);
  }

  void start() { wait_for_request(); }
  void close() {
    release();
    stream_.close();
  }

  const std::string& peer() const { return peer_; }
  bool closed() const { return released_; }
  // Eviction order: idle connections first, then the one waiting longest.
  std::pair<bool, std::uint64_t> wait_rank() const { return {!idle_, since_}; }

 private:
  // Continuations keep the session alive, and do nothing once the server is
  // stopped: stop() has closed the socket and the state may be shutting down.
  auto then(void (Session::*step)(beast::error_code, std::size_t)) {
    return [self = shared_from_this(), step](beast::error_code ec, std::size_t n) {
      if (!self->state_->stopped) (self.get()->*step)(ec, n);
    };
  }

  const HttpServerOptions& opts() const { return state_->opts; }

  // Gives the connection's slot back, once, when it is closed (its object may
  // live on until its cancelled operations complete).
  void release() {
    if (released_) return;
    released_ = true;
    --state_->open;
    auto it = state_->per_client.find(peer_);
    if (it != state_->per_client.end() && --it->second == 0) state_->per_client.erase(it);
  }

  // Marks the start of a wait on the client.
  void waiting(bool idle) {
    idle_ = idle;
    since_ = ++state_->sequence;
  }

  // Waiting for the first byte of a request is the idle phase; once it arrives
  // the whole request must be read within request_timeout.
  void wait_for_request() {
    if (buffer_.size() > 0) return read_header();  // pipelined request already buffered
    waiting(true);
    stream_.expires_after(opts().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes), then(&Session::on_first_bytes));
  }

  void on_first_bytes(beast::error_code ec, std::size_t n) {
    buffer_.commit(n);
    if (ec) return close();
    read_header();
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(opts().max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(opts().max_body_bytes);
    waiting(false);
    // One deadline for the whole request, however slowly its bytes come.
    stream_.expires_after(opts().request_timeout);
    http::async_read_header(stream_, buffer_, *parser_, then(&Session::on_header));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    if (parser_->is_done()) return on_request(ec, 0);
    const auto& req = parser_->get();
    // A client that sent its body without waiting needs no interim response.
    if (req.version() >= 11 && buffer_.size() == 0 &&
        beast::iequals(req[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        then(&Session::read_body));
      return;
    }
    read_body({}, 0);
  }

  void read_body(beast::error_code ec, std::size_t) {
    if (ec) return close();
    http::async_read(stream_, buffer_, *parser_, then(&Session::on_request));
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return reject(http::status::request_header_fields_too_large, ec.message());
    }
    if (ec == http::error::body_limit) return reject(http::status::payload_too_large, ec.message());
    // A peer that goes away mid-request, a timeout or a reset gets no answer;
    // every other parser error is the client's malformed request.
    static const auto& parse_errors = http::make_error_code(http::error::bad_target).category();
    if (ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec.category() != parse_errors) {
      return close();
    }
    reject(http::status::bad_request, ec.message());
  }

  void on_request(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    auto& req = parser_->get();
    HttpRequest request;
    if (!parse_target(std::string_view(req.target().data(), req.target().size()), request)) {
      return reject(http::status::bad_request, "bad request target");
    }
    const bool head = req.method() == http::verb::head;
    request.method = head ? "GET" : std::string(req.method_string());
    auto auth = req[http::field::authorization];
    request.authorization.assign(auth.data(), auth.size());
    for (const auto& f : req)
      request.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    request.body = std::move(req.body());

    ++state_->stats.requests;
    HttpResponse response = call_handler(request);
    if (state_->stopped) return;  // the handler stopped the server; our socket is closed
    send(std::move(response), req.version(), req.keep_alive(), head);
  }

  HttpResponse call_handler(const HttpRequest& request) {
    std::string failure;
    try {
      return state_->handler(request);
    } catch (const std::exception& e) {
      failure = fmt::format("handler failed: {}", e.what());
    } catch (...) {
      failure = "handler failed: unknown exception";
    }
    state_->log_error_once(failure,
                           fmt::format(" (first seen on {} {})", request.method, request.path));
    return internal_error();
  }

  static HttpResponse internal_error() {
    return HttpResponse{500, "text/plain", "internal server error\n", {}};
  }

  void begin_response(unsigned status, unsigned version) {
    res_ = {};
    res_.result(status);
    res_.version(version);
    res_.set(http::field::server, "kilterd");
  }

  void send(HttpResponse out, unsigned version, bool keep_alive, bool head) {
    if (out.status < 200 || out.status > 599) {
      state_->log_error_once(fmt::format("handler returned invalid status {}", out.status));
      out = internal_error();
    }
    begin_response(static_cast<unsigned>(out.status), version);
    for (const auto& [name, value] : out.headers) {
      if (sendable_header(name, value)) {
        res_.insert(name, value);
      } else {
        state_->log_error_once(fmt::format("handler header \"{}\" not sent", name));
      }
    }
    if (!out.content_type.empty()) res_.set(http::field::content_type, out.content_type);
    // RFC 9110 forbids a body for 204 and 304, and Content-Length for 204.
    if (out.status == 204 || out.status == 304) {
      out.body.clear();
    } else {
      res_.content_length(out.body.size());
    }
    if (!head) res_.body() = std::move(out.body);
    write(keep_alive);
  }

  void reject(http::status status, const std::string& why) {
    ++state_->stats.bad_requests;
    beast::error_code ec;
    auto peer = stream_.socket().remote_endpoint(ec).address().to_string();
    spdlog::debug("http: {} to {}: {}", static_cast<unsigned>(status), peer, why);
    begin_response(static_cast<unsigned>(status), 11);
    res_.set(http::field::content_type, "text/plain");
    res_.body() = std::string(http::obsolete_reason(status)) + "\n";
    res_.content_length(res_.body().size());
    linger_ = true;
    write(false);
  }

  void write(bool keep_alive) {
    keep_alive_ = keep_alive;
    if (!keep_alive) {
      res_.set(http::field::connection, "close");
    } else if (res_.version() < 11) {
      res_.set(http::field::connection, "keep-alive");  // HTTP/1.0 closes unless told otherwise
    }
    stream_.expires_after(opts().request_timeout);
    http::async_write(stream_, res_, then(&Session::on_written));
  }

  void on_written(beast::error_code ec, std::size_t) {
    if (ec) return close();
    if (keep_alive_) return wait_for_request();
    if (!linger_ && buffer_.size() == 0) return close();
    beast::error_code shutdown_ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, shutdown_ec);
    if (shutdown_ec) return close();
    stream_.expires_after(std::min<std::chrono::milliseconds>(opts().request_timeout, kLingerTime));
    on_drained({}, 0);
  }

  void on_drained(beast::error_code ec, std::size_t n) {
    drained_ += n;
    if (ec || drained_ > kLingerBytes) return close();
    stream_.async_read_some(asio::buffer(scratch_), then(&Session::on_drained));
  }

  std::shared_ptr<State> state_;
  beast::tcp_stream stream_;
  std::string peer_;
  bool released_ = false;
  bool idle_ = true;
  std::uint64_t since_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::array<char, 4096> scratch_{};
  std::size_t drained_ = 0;
  bool keep_alive_ = false;
  bool linger_ = false;
};

void accept_next(const std::shared_ptr<State>& st);

// Closes the open connection (of `peer` only, when given) that has waited
// longest for its client, idle ones first; false when there is none.
bool evict_one(State& st, const std::string* peer) {
  Session* victim = nullptr;
  for (Session* s : st.sessions) {
    if (s->closed() || (peer != nullptr && s->peer() != *peer)) continue;
    if (victim == nullptr || s->wait_rank() < victim->wait_rank()) victim = s;
  }
  if (victim == nullptr) return false;
  victim->close();
  ++st.stats.evicted_connections;
  return true;
}

// Makes room for one more connection from `peer` within both bounds.
bool make_room(State& st, const std::string& peer) {
  const auto limit = std::max<std::size_t>(st.opts.max_connections, 1);
  const auto client_limit = std::max<std::size_t>(st.opts.max_connections_per_client, 1);
  auto of_peer = [&] {
    auto it = st.per_client.find(peer);
    return it == st.per_client.end() ? std::size_t{0} : it->second;
  };
  const bool had_to = of_peer() >= client_limit || st.open >= limit;
  while (of_peer() >= client_limit)
    if (!evict_one(st, &peer)) return false;
  while (st.open >= limit)
    if (!evict_one(st, nullptr)) return false;
  if (had_to && warn_due(st.next_overload_warn)) {
    spdlog::warn(
        "http: connection bound reached on {} ({} open, {} per client at most); closing the "
        "longest-waiting connections to make room (evicted so far: {})",
        st.address, st.open, client_limit, st.stats.evicted_connections);
  }
  return true;
}

void on_accept(const std::shared_ptr<State>& st, beast::error_code ec, tcp::socket socket) {
  if (st->stopped) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    if (ec == asio::error::connection_aborted) return accept_next(st);  // peer gave up; harmless
    // Typically out of descriptors: retrying at once would spin, so back off.
    if (warn_due(st->next_accept_warn))
      spdlog::warn("http: accept on {} failed: {}", st->address, ec.message());
    st->retry.expires_after(kAcceptRetry);
    st->retry.async_wait([st](beast::error_code wait_ec) {
      if (!wait_ec && !st->stopped) accept_next(st);
    });
    return;
  }
  std::string peer = socket.remote_endpoint(ec).address().to_string();
  if (ec) {  // the peer is already gone
    socket.close(ec);
    return accept_next(st);
  }
  if (!make_room(*st, peer)) {
    ++st->stats.rejected_connections;
    if (warn_due(st->next_overload_warn)) {
      spdlog::warn("http: {} connections open on {}, closing new ones (rejected so far: {})",
                   st->open, st->address, st->stats.rejected_connections);
    }
    socket.close(ec);
  } else {
    // Each response goes out in one write; Nagle would only delay it.
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Session>(st, std::move(socket), std::move(peer))->start();
  }
  accept_next(st);
}

void accept_next(const std::shared_ptr<State>& st) {
  st->acceptor.async_accept(
      [st](beast::error_code ec, tcp::socket socket) { on_accept(st, ec, std::move(socket)); });
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, HttpHandler handler, HttpServerOptions opts)
    : state_(std::make_shared<State>(io, std::move(handler), opts)) {}

HttpServer::~HttpServer() {
  stop();
}

Result<void> HttpServer::listen(std::string_view host_port) {
  auto& st = *state_;
  if (st.stopped) return Error{fmt::format("http: cannot listen on {}: server stopped", host_port)};
  if (st.acceptor.is_open()) {
    return Error{
        fmt::format("http: cannot listen on {}: already listening on {}", host_port, st.address)};
  }
  auto ep = parse_endpoint(host_port);
  if (!ep) return ep.error();
  beast::error_code ec;
  auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    st.acceptor.close(ignored);
    return Error{fmt::format("http: cannot listen on {}: {}: {}", host_port, step, ec.message())};
  };
  if (st.acceptor.open(ep->protocol(), ec)) return fail("socket");
  // Lets a restarted daemon bind while old connections sit in TIME_WAIT; on
  // Linux it does not allow two live listeners on one port.
  if (st.acceptor.set_option(tcp::acceptor::reuse_address(true), ec)) return fail("setsockopt");
  if (st.acceptor.bind(*ep, ec)) return fail("bind");
  if (st.acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  auto local = st.acceptor.local_endpoint(ec);
  if (ec) return fail("getsockname");
  st.port = local.port();
  auto ip = local.address().to_string();
  st.address = local.address().is_v6() ? fmt::format("[{}]:{}", ip, st.port)
                                       : fmt::format("{}:{}", ip, st.port);
  spdlog::info("http: listening on {}", st.address);
  accept_next(state_);
  return ok();
}

std::uint16_t HttpServer::port() const {
  return state_->port;
}

std::string HttpServer::address() const {
  return state_->address;
}

void HttpServer::stop() {
  auto& st = *state_;
  if (st.stopped) return;
  st.stopped = true;
  beast::error_code ec;
  st.acceptor.close(ec);
  st.retry.cancel();
  // close() only queues completions, so the set does not change while we iterate.
  for (Session* s : st.sessions) s->close();
}

HttpServer::Stats HttpServer::stats() const {
  Stats s = state_->stats;
  s.open_connections = state_->open;
  return s;
}

}  // namespace kilter::daemon

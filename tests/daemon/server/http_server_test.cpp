#include "daemon/server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>

#include "tests/daemon/server/http_fixture.h"

namespace kilter::daemon {
namespace {

using namespace kilter::daemon::http_test;  // NOLINT

TEST_F(HttpServerTest, ServesGetWithStatusBodyAndHeaders) {
  start();
  Client c(port_);
  auto res = c.request(get("/hello", "Authorization: Bearer secret\r\n"));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "GET /hello");
  EXPECT_EQ(res[http::field::content_type], "application/json");
  EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
  EXPECT_EQ(res[http::field::server], "kilterd");
  EXPECT_EQ(res["X-Test"], "yes");
  EXPECT_TRUE(res.keep_alive());
  auto reqs = seen();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].authorization, "Bearer secret");
  EXPECT_EQ(stats().requests, 1u);
}

TEST_F(HttpServerTest, DecodesPathSegmentsAndQuery) {
  start();
  Client c(port_);
  const std::string target = "/api/v1/accounts/a%2Fb//c%20d/?x=1&y=hello+world&x=2&flag&e=%26%3D&&";
  EXPECT_EQ(c.request(get(target)).result_int(), 200);
  EXPECT_EQ(c.request(get("http://example.com/abs/path?q=1")).result_int(), 200);
  auto reqs = seen();
  ASSERT_EQ(reqs.size(), 2u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.target, target);
  EXPECT_EQ(r.path, "/api/v1/accounts/a/b//c d/");
  EXPECT_EQ(r.segments, (std::vector<std::string>{"api", "v1", "accounts", "a/b", "c d"}));
  EXPECT_EQ(r.query, (std::map<std::string, std::string>{
                         {"x", "2"}, {"y", "hello world"}, {"flag", ""}, {"e", "&="}}));
  EXPECT_EQ(reqs[1].path, "/abs/path");
  EXPECT_EQ(reqs[1].segments, (std::vector<std::string>{"abs", "path"}));
  EXPECT_EQ(reqs[1].query.at("q"), "1");
}

TEST_F(HttpServerTest, InvalidPercentEscapeIs400) {
  start();
  for (const char* target : {"/a%zz", "/a%2", "/ok?x=%g1", "/ok?%"}) {
    Client c(port_);
    auto res = c.request(get(target));
    EXPECT_EQ(res.result_int(), 400) << target;
    EXPECT_FALSE(res.keep_alive()) << target;
    EXPECT_TRUE(c.closed_by_server()) << target;
  }
  EXPECT_TRUE(seen().empty());
  EXPECT_EQ(stats().bad_requests, 4u);
}

TEST_F(HttpServerTest, KeepAliveServesRequestsOnOneConnection) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/one")).body(), "GET /one");
  EXPECT_EQ(c.request(get("/two")).body(), "GET /two");
  // Pipelined: both requests in one write, answered in order.
  ASSERT_FALSE(c.send(get("/three") + get("/four")));
  EXPECT_EQ(c.read().body(), "GET /three");
  EXPECT_EQ(c.read().body(), "GET /four");
  auto s = stats();
  EXPECT_EQ(s.requests, 4u);
  EXPECT_EQ(s.open_connections, 1u);
}

TEST_F(HttpServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  start();
  {
    Client c(port_);
    auto res = c.request("GET /old HTTP/1.0\r\n\r\n");
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.version(), 10u);
    EXPECT_EQ(res[http::field::connection], "close");
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    Client c(port_);
    auto res = c.request("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(res[http::field::connection], "keep-alive");
    EXPECT_EQ(c.request("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").result_int(), 200);
  }
}

TEST_F(HttpServerTest, HeadHasNoBodyButTheContentLengthOfGet) {
  start();
  Client c(port_);
  auto full = c.request(get("/thing"));
  auto head = c.request("HEAD /thing HTTP/1.1\r\nHost: test\r\n\r\n", /*head=*/true);
  EXPECT_EQ(head.result_int(), 200);
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(head[http::field::content_length], std::to_string(full.body().size()));
  // Had the server sent a body, it would be parsed as the next response here.
  EXPECT_EQ(c.request(get("/after")).body(), "GET /after");
  auto reqs = seen();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[1].method, "GET");  // HEAD is served as GET
}

TEST_F(HttpServerTest, HandlerStatusPassesThrough) {
  start();
  Client c(port_);
  auto res = c.request(get("/missing"));
  EXPECT_EQ(res.result_int(), 404);
  EXPECT_EQ(res.body(), "no such thing\n");
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_TRUE(res.keep_alive());
}

TEST_F(HttpServerTest, PostBodyReachesHandler) {
  start();
  Client c(port_);
  auto res = c.request("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(res.body(), "POST /p abc");
  res = c.request(
      "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "2\r\nxy\r\n1\r\nz\r\n0\r\n\r\n");
  EXPECT_EQ(res.body(), "POST /c xyz");
}

TEST_F(HttpServerTest, ExpectContinueGetsAnInterimResponse) {
  start();
  Client c(port_);
  ASSERT_FALSE(
      c.send("PUT /e HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.read().result_int(), 100);
  ASSERT_FALSE(c.send("ok"));
  EXPECT_EQ(c.read().body(), "PUT /e ok");
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
  start();
  Client c(port_);
  auto res = c.request(get("/", "X-Big: " + std::string(20'000, 'a') + "\r\n"));
  EXPECT_EQ(res.result_int(), 431);
  EXPECT_FALSE(res.body().empty());
  EXPECT_EQ(res[http::field::connection], "close");
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(seen().empty());
  EXPECT_EQ(stats().bad_requests, 1u);
}

TEST_F(HttpServerTest, OversizedBodyIs413) {
  start();
  Client c(port_);
  const std::string body(70'000, 'b');
  auto res =
      c.request("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body);
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_EQ(res[http::field::connection], "close");
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(seen().empty());
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  start({.max_body_bytes = 1024});
  Client c(port_);
  auto res =
      c.request("POST /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                std::string(0x800, 'c') + "\r\n0\r\n\r\n");
  EXPECT_EQ(res.result_int(), 413);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, GarbageRequestIs400) {
  start();
  for (const char* garbage : {"\x01\x02 nonsense\r\n\r\n", "GET / HTTP/7\r\n\r\n",
                              "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n"}) {
    Client c(port_);
    auto res = c.request(garbage);
    EXPECT_EQ(res.result_int(), 400);
    EXPECT_EQ(res[http::field::server], "kilterd");
    EXPECT_TRUE(c.closed_by_server());
  }
  EXPECT_EQ(stats().bad_requests, 3u);
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheConnectionSurvives) {
  start();
  Client c(port_);
  auto res = c.request(get("/throw"));
  EXPECT_EQ(res.result_int(), 500);
  EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
  EXPECT_EQ(c.request(get("/throw")).result_int(), 500);
  EXPECT_EQ(c.request(get("/fine")).result_int(), 200);
}

TEST_F(HttpServerTest, HandlerCannotBreakFraming) {
  handler_ = [](const HttpRequest& req) {
    if (req.path == "/status") return HttpResponse{42, "text/plain", "odd", {}};
    HttpResponse res{200, "text/plain", "four", {}};
    res.headers = {{"Content-Length", "999"},
                   {"Connection", "close"},
                   {"X-Evil", "a\r\nX-Injected: 1"},
                   {"Bad Name", "v"},
                   {"X-Fine", "ok"}};
    return res;
  };
  start();
  Client c(port_);
  auto res = c.request(get("/"));
  EXPECT_EQ(res.body(), "four");
  EXPECT_EQ(res[http::field::content_length], "4");
  EXPECT_TRUE(res.keep_alive());
  EXPECT_EQ(res.count("X-Evil"), 0u);
  EXPECT_EQ(res.count("X-Injected"), 0u);
  EXPECT_EQ(res["X-Fine"], "ok");
  EXPECT_EQ(c.request(get("/status")).result_int(), 500);
}

TEST(HttpServerListen, RejectsInvalidAddressesNamingThem) {
  asio::io_context io;
  for (const char* addr :
       {"nonsense", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:8o", "999.1.1.1:80", "[::1:80",
        "::1:80", ":80", "[127.0.0.1]:80", "example.com:80"}) {
    HttpServer server(io, default_handler);
    auto r = server.listen(addr);
    ASSERT_FALSE(r.ok()) << addr;
    EXPECT_NE(r.error().message.find(addr), std::string::npos) << r.error().message;
  }
}

TEST(HttpServerListen, FailsWhenThePortIsTaken) {
  asio::io_context io;
  HttpServer first(io, default_handler);
  ASSERT_TRUE(first.listen("127.0.0.1:0").ok());
  EXPECT_EQ(first.address(), "127.0.0.1:" + std::to_string(first.port()));
  HttpServer second(io, default_handler);
  const std::string taken = first.address();
  auto r = second.listen(taken);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find(taken), std::string::npos) << r.error().message;
  EXPECT_EQ(second.port(), 0);
  EXPECT_FALSE(first.listen("127.0.0.1:0").ok());  // one listener per server
}

TEST(HttpServerListen, FormatsIpv6Addresses) {
  asio::io_context io;
  HttpServer server(io, default_handler);
  auto r = server.listen("[::1]:0");
  if (!r.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << r.error().message;
  EXPECT_EQ(server.address(), "[::1]:" + std::to_string(server.port()));
}

TEST_F(HttpServerTest, ConnectionLimitMakesRoomByClosingTheOldestIdleConnection) {
  start({.max_connections = 1});
  Client first(port_);
  EXPECT_EQ(first.request(get("/first")).result_int(), 200);  // accepted, idle again
  Client second(port_);
  EXPECT_EQ(second.request(get("/second")).result_int(), 200);
  EXPECT_TRUE(first.closed_by_server());
  auto s = stats();
  EXPECT_EQ(s.evicted_connections, 1u);
  EXPECT_EQ(s.rejected_connections, 0u);
  EXPECT_EQ(s.open_connections, 1u);
  EXPECT_EQ(second.request(get("/last", "Connection: close\r\n"))[http::field::connection],
            "close");
  EXPECT_TRUE(second.closed_by_server());
  ASSERT_TRUE(eventually([&] { return stats().open_connections == 0; }));
}

TEST_F(HttpServerTest, IdleTimeoutClosesIdleConnections) {
  start({.idle_timeout = std::chrono::milliseconds(100)});
  Client fresh(port_);
  EXPECT_TRUE(fresh.closed_by_server());
  Client used(port_);
  EXPECT_EQ(used.request(get("/x")).result_int(), 200);
  EXPECT_TRUE(used.closed_by_server());
  EXPECT_TRUE(eventually([&] { return stats().open_connections == 0; }));
}

TEST_F(HttpServerTest, RequestTimeoutClosesAStalledRequest) {
  start({.request_timeout = std::chrono::milliseconds(100)});
  Client c(port_);
  ASSERT_FALSE(c.send("GET /slow HTTP/1.1\r\nHost: t\r\n"));  // never finished
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(seen().empty());
}

TEST_F(HttpServerTest, StalledClientDoesNotBlockOthers) {
  start();
  Client stalled(port_);
  ASSERT_FALSE(stalled.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab"));
  for (int i = 0; i < 3; ++i) {
    Client other(port_);
    EXPECT_EQ(other.request(get("/quick")).result_int(), 200);
  }
  ASSERT_FALSE(stalled.send("cdefghij"));
  EXPECT_EQ(stalled.read().body(), "POST /slow abcdefghij");
}

TEST_F(HttpServerTest, StopClosesConnectionsAndTheListener) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/x")).result_int(), 200);
  on_io([this] {
    server_->stop();
    server_->stop();  // idempotent
  });
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(eventually([&] { return stats().open_connections == 0; }));
  Client late(port_);
  EXPECT_EQ(late.connect_error, asio::error::connection_refused);
  EXPECT_FALSE(on_io([this] { return server_->listen("127.0.0.1:0").ok(); }));
}

TEST_F(HttpServerTest, DestroyingTheServerClosesConnections) {
  start();
  Client c(port_);
  EXPECT_EQ(c.request(get("/x")).result_int(), 200);
  on_io([this] { server_.reset(); });
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(HttpServerTest, HandlerMayStopTheServer) {
  handler_ = [this](const HttpRequest&) {
    server_->stop();
    return HttpResponse{};
  };
  start();
  Client c(port_);
  ASSERT_FALSE(c.send(get("/quit")));
  EXPECT_TRUE(c.closed_by_server());
}

}  // namespace
}  // namespace kilter::daemon

#include <gtest/gtest.h>

#include "tests/http/curl_fixture.h"

namespace kilter::http::testing {
namespace {

TEST_F(CurlClientTest, PostArrivesIntactAndTheAnswerComesBack) {
  Receiver rx([](const Received&) { return reply(201, "created"); });
  auto c = client();
  OutboundRequest req = request(rx.url("/hooks/a?x=1"));
  req.headers = {{"Content-Type", "application/json"}, {"X-Kilter-Test", "yes"}};
  req.body = std::string("{\"text\":\"hi\"}\r\n\0tail", 20);
  OutboundResponse resp = exchange(*c, req);

  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, "created");
  EXPECT_EQ(resp.error, "");
  EXPECT_FALSE(resp.retry_after.has_value());
  ASSERT_EQ(rx.count(), 1u);
  Received got = rx.requests()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.target, "/hooks/a?x=1");
  EXPECT_EQ(got.header("content-type"), "application/json");
  EXPECT_EQ(got.header("x-kilter-test"), "yes");
  EXPECT_EQ(got.header("user-agent"), "kilter-test/1");
  EXPECT_EQ(got.header("content-length"), "20");
  EXPECT_FALSE(got.header("expect").has_value());
  EXPECT_EQ(got.body, req.body);
}

TEST_F(CurlClientTest, OnlyTheRequestsMethodIsUsed) {
  Receiver rx([](const Received&) { return Reply{}; });
  auto c = client();
  OutboundRequest put = request(rx.url("/put"), "PUT");
  put.body = "payload";
  EXPECT_EQ(exchange(*c, put).status, 200);
  EXPECT_EQ(exchange(*c, request(rx.url("/get"), "GET")).status, 200);
  EXPECT_EQ(exchange(*c, request(rx.url("/del"), "DELETE")).status, 200);

  auto got = rx.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].body, "payload");
  EXPECT_FALSE(got[0].header("content-type").has_value()) << "no type invented";
  EXPECT_EQ(got[1].method, "GET");
  EXPECT_EQ(got[1].body, "");
  EXPECT_EQ(got[2].method, "DELETE");
}

TEST_F(CurlClientTest, LargeAnswerIsCutAt64KiB) {
  std::string big(300 * 1024, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  Receiver rx([&](const Received&) { return reply(200, big); });
  auto c = client();
  OutboundResponse resp = exchange(*c, request(rx.url("/big")));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.error, "");
  ASSERT_EQ(resp.body.size(), 64u * 1024);
  EXPECT_EQ(resp.body, big.substr(0, 64 * 1024));
}

TEST_F(CurlClientTest, RetryAfterInSecondsIsParsed) {
  Receiver rx([](const Received& q) {
    return reply(429, "",
                 {{"Retry-After", q.target == "/seconds" ? "7" : "Wed, 21 Oct 2026 07:28:00 GMT"}});
  });
  auto c = client();
  OutboundResponse secs = exchange(*c, request(rx.url("/seconds")));
  EXPECT_EQ(secs.status, 429);
  EXPECT_EQ(secs.retry_after, std::chrono::seconds(7));
  OutboundResponse date = exchange(*c, request(rx.url("/date")));
  EXPECT_EQ(date.status, 429);
  EXPECT_FALSE(date.retry_after.has_value());
}

TEST_F(CurlClientTest, ErrorStatusesComeBackAsIsWithoutRetries) {
  Receiver rx([](const Received& q) {
    if (q.target == "/302") return reply(302, "nope", {{"Location", "/elsewhere"}});
    return reply(q.target == "/500" ? 500 : 429, "nope");
  });
  auto c = client();
  OutboundResponse e500 = exchange(*c, request(rx.url("/500")));
  EXPECT_EQ(e500.status, 500);
  EXPECT_EQ(e500.body, "nope");
  EXPECT_EQ(e500.error, "");
  EXPECT_EQ(exchange(*c, request(rx.url("/429"))).status, 429);
  EXPECT_EQ(exchange(*c, request(rx.url("/302"))).status, 302) << "redirects not followed";
  EXPECT_EQ(rx.count(), 3u);
}

TEST_F(CurlClientTest, SilentReceiverTimesOut) {
  Receiver rx(silent);
  auto c = client();
  const auto t0 = Clock::now();
  OutboundResponse resp =
      exchange(*c, request(rx.url(std::string("/s/") + kSecret), "POST", 300ms));
  const auto took = Clock::now() - t0;
  EXPECT_EQ(resp.status, 0);
  EXPECT_NE(resp.error.find("timed out"), std::string::npos) << resp.error;
  EXPECT_EQ(resp.error.find("SECRET"), std::string::npos) << resp.error;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 10s);
}

TEST_F(CurlClientTest, ConnectionRefusedIsAnErrorWithoutTheUrl) {
  auto c = client();
  const std::string url =
      "http://127.0.0.1:" + std::to_string(closed_port()) + "/services/" + kSecret;
  OutboundResponse resp = exchange(*c, request(url));
  EXPECT_EQ(resp.status, 0);
  EXPECT_FALSE(resp.error.empty());
  EXPECT_EQ(resp.error.find("SECRET"), std::string::npos) << resp.error;
  EXPECT_EQ(resp.error.find(url), std::string::npos) << resp.error;
}

TEST_F(CurlClientTest, InvalidRequestsAreStatusZeroWithoutTheUrl) {
  auto c = client();
  const std::string s = std::string("/") + kSecret;
  for (const std::string& url :
       {std::string(""), std::string("not a url") + s, std::string("ftp://127.0.0.1") + s,
        std::string("http://127.0.0.1:99999") + s, std::string("http://exa mple.com") + s,
        std::string("http://[::1") + s, std::string("http://127.0.0.1/\0x", 19) + s}) {
    OutboundResponse resp = exchange(*c, request(url));
    EXPECT_EQ(resp.status, 0) << url;
    EXPECT_FALSE(resp.error.empty()) << url;
    EXPECT_EQ(resp.error.find("SECRET"), std::string::npos) << resp.error;
  }
  OutboundRequest injected = request("http://127.0.0.1:1/x");
  injected.headers = {{"X-Evil", "a\r\nHost: elsewhere"}};
  EXPECT_EQ(exchange(*c, injected).status, 0);
  EXPECT_EQ(exchange(*c, request("http://127.0.0.1:1/x", "BAD METHOD")).status, 0);
}

}  // namespace
}  // namespace kilter::http::testing

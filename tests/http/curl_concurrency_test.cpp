#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/http/curl_fixture.h"

namespace kilter::http::testing {
namespace {

TEST_F(CurlClientTest, ManyConcurrentRequestsCompleteExactlyOnce) {
  Receiver rx([](const Received&) { return reply(200, "", {}, 20ms); });
  auto c = client(8);
  constexpr int kN = 50;
  std::vector<int> calls(kN, 0);
  int done = 0;
  for (int i = 0; i < kN; ++i) {
    c->send(request(rx.url("/n/" + std::to_string(i))), [&, i](OutboundResponse r) {
      EXPECT_EQ(r.status, 200) << r.error;
      ++calls[i];
      ++done;
    });
  }
  ASSERT_TRUE(ex_.run_until([&] { return done == kN; }));
  c.reset();
  ex_.drain();
  for (int i = 0; i < kN; ++i) EXPECT_EQ(calls[i], 1) << i;
  EXPECT_EQ(rx.count(), static_cast<std::size_t>(kN));
  EXPECT_LE(rx.max_concurrent(), 8);
  EXPECT_GE(rx.max_concurrent(), 2);
}

TEST_F(CurlClientTest, QueuedRequestsStartInFifoOrder) {
  Receiver rx([](const Received&) { return Reply{}; });
  auto c = client(1);
  std::vector<int> completed;
  for (int i = 0; i < 5; ++i) {
    c->send(request(rx.url("/q/" + std::to_string(i))),
            [&, i](OutboundResponse) { completed.push_back(i); });
  }
  ASSERT_TRUE(ex_.run_until([&] { return completed.size() == 5; }));
  EXPECT_EQ(completed, (std::vector<int>{0, 1, 2, 3, 4}));
  auto got = rx.requests();
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i].target, "/q/" + std::to_string(i));
}

TEST_F(CurlClientTest, DestroyingWithRequestsInFlightIsPromptAndSilent) {
  Receiver rx(silent);
  auto c = client(8);
  int calls = 0;
  for (int i = 0; i < 20; ++i)
    c->send(request(rx.url("/hold"), "POST", 60s), [&](OutboundResponse) { ++calls; });
  ASSERT_TRUE(eventually([&] { return rx.count() == 8; }));
  const auto t0 = Clock::now();
  c.reset();
  EXPECT_LT(Clock::now() - t0, 5s);
  ex_.drain();
  EXPECT_EQ(calls, 0);
}

TEST_F(CurlClientTest, CompletionsNotYetRunAreAbandonedByTheDestructor) {
  Receiver rx([](const Received&) { return Reply{}; });
  auto c = client();
  int calls = 0;
  for (int i = 0; i < 3; ++i) c->send(request(rx.url("/x")), [&](OutboundResponse) { ++calls; });
  ASSERT_TRUE(eventually([&] { return ex_.pending() == 3; }));
  c.reset();
  ex_.drain();
  EXPECT_EQ(calls, 0);
}

TEST_F(CurlClientTest, ProxyFromTheEnvironmentIsUsed) {
  Receiver proxy([](const Received&) { return Reply{}; });
  // Set before the client exists: libcurl reads it on the worker thread.
  setenv("http_proxy", proxy.url("").c_str(), 1);
  {
    auto c = client();
    EXPECT_EQ(exchange(*c, request("http://kilter-proxy-test.invalid/via", "GET")).status, 200);
  }
  unsetenv("http_proxy");
  auto got = proxy.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].target, "http://kilter-proxy-test.invalid/via");
}

}  // namespace
}  // namespace kilter::http::testing

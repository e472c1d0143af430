#include "tools/loadgen/send.h"

#include <deque>
#include <string>

#include <gtest/gtest.h>

namespace kilter::loadgen {
namespace {

// Answers send() from a script of results; remembers what it was given.
class ScriptedProducer final : public kafka::Producer {
 public:
  std::deque<Result<void>> answers;
  std::size_t sends = 0;
  std::string_view last_value;  // the tests pass literals

  Result<void> send(std::string_view, std::string_view, std::string_view value,
                    const kafka::Headers&, Delivered) override {
    ++sends;
    last_value = value;
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
  void poll() override {}
  Result<void> flush(std::chrono::milliseconds) override { return ok(); }
  kafka::ProducerStats stats() const override { return {}; }
  std::size_t max_message_bytes() const override { return 1 << 20; }
};

Error queue_full() {
  return Error{"kafka produce to bench: Local: Queue full", Errc::unavailable};
}

TEST(SendWaiting, AFullQueueIsWaitedOutAndTheEventSentOnce) {
  ScriptedProducer p;
  p.answers = {queue_full(), queue_full(), queue_full(), ok()};
  std::size_t waits = 0;
  auto r = send_waiting(p, "bench", "acme", "{\"id\":\"1\"}", 10, [&] { ++waits; });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(p.sends, 4u);
  EXPECT_EQ(waits, 3u);
  EXPECT_EQ(p.last_value, "{\"id\":\"1\"}");
}

TEST(SendWaiting, AQueueThatStaysFullEndsTheRunWithItsError) {
  ScriptedProducer p;
  for (int i = 0; i < 6; ++i) p.answers.push_back(queue_full());
  std::size_t waits = 0;
  auto r = send_waiting(p, "bench", "acme", "x", 5, [&] { ++waits; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(p.sends, 6u);  // the first try and five more
  EXPECT_EQ(waits, 5u);
}

TEST(SendWaiting, AnErrorThatWaitingCannotMendIsReturnedAtOnce) {
  ScriptedProducer p;
  p.answers = {Error{"kafka produce to bench: Broker: Message size too large", Errc::failed}};
  std::size_t waits = 0;
  auto r = send_waiting(p, "bench", "acme", "x", 5, [&] { ++waits; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::failed);
  EXPECT_EQ(p.sends, 1u);
  EXPECT_EQ(waits, 0u);
}

}  // namespace
}  // namespace kilter::loadgen

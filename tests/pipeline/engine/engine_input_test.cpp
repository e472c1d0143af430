// What the world sends the engine: event times far ahead of the wall clock or
// far in the past, wall-clock jumps, and how bad input is named in the log.
#include <chrono>

#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

// Wall time a test sets at will (jumps forward and back); monotonic time that
// only moves forward, as a real steady clock does.
class JumpingClock final : public Clock {
 public:
  explicit JumpingClock(TimePoint t) : wall_(t) {}
  TimePoint now() const override { return wall_; }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point{} + steady_;
  }
  void set(TimePoint t) {
    steady_ += Millis{1};
    wall_ = t;
  }

 private:
  TimePoint wall_;
  Millis steady_{0};
};

class EngineInputTest : public EngineTest {
 protected:
  std::uint64_t count(EventResult r) const {
    return engine_->stats().events[static_cast<std::size_t>(r)];
  }
  std::uint64_t bad(BadInput r) const { return engine_->stats().bad[static_cast<std::size_t>(r)]; }
  // The engine, reopened on the same store, on `clock` instead of the dispatcher.
  void use_clock(const Clock& clock) {
    engine_ = std::make_unique<Engine>(cfg_, *store_, *classifier_, *outbox_, clock);
    engine_->set_checkpointer(&checkpointer_);
  }
  const TimePoint now_ = clock_.now();
};

TEST_F(EngineInputTest, AFarFutureEventIsBadAndDoesNotMoveTheWatermark) {
  const Partition p{1};
  std::vector<std::string> dead;
  engine_->set_bad_input_hook([&](const SourceMessage&, const DecodeOutcome& o) {
    dead.emplace_back(to_string(o.reason));
  });
  engine_->open_partition(p);
  post(p, 0, "acme", now_);
  post(p, 1, "acme", *parse_rfc3339("9999-12-31T23:59:59Z"));
  post(p, 2, "acme", now_ + minutes(1));
  post(p, 3, "acme", now_ + minutes(2));
  EXPECT_EQ(count(EventResult::ok), 3u);
  EXPECT_EQ(count(EventResult::bad), 1u);
  EXPECT_EQ(count(EventResult::late), 0u);
  EXPECT_EQ(bad(BadInput::future_timestamp), 1u);
  EXPECT_EQ(dead, (std::vector<std::string>{"future_timestamp"}));
  ASSERT_TRUE(engine_->commit().ok());
  // The stored clock is the good events', so a restart is not blinded either.
  EXPECT_EQ(store_->meta(p)->max_event_time, now_ + minutes(2));
  EXPECT_EQ(store_->meta(p)->position, Offset{4});
  open();
  engine_->open_partition(p);
  post(p, 4, "acme", now_ + minutes(3));
  EXPECT_EQ(count(EventResult::ok), 1u);
}

TEST_F(EngineInputTest, TheDefaultSkewIsAnHourInclusive) {
  const Partition p{1};
  engine_->open_partition(p);
  post(p, 0, "acme", now_ + hours(1));  // the default: 1h
  post(p, 1, "acme", now_ + hours(1) + Millis{1});
  EXPECT_EQ(count(EventResult::ok), 1u);
  EXPECT_EQ(bad(BadInput::future_timestamp), 1u);
}

TEST_F(EngineInputTest, AZeroSkewRefusesAnythingAheadOfTheWallClock) {
  std::string yaml = kEngineConfig;
  yaml.replace(yaml.find("pipeline: {allowed_lateness: 0s}"),
               std::string("pipeline: {allowed_lateness: 0s}").size(),
               "pipeline: {allowed_lateness: 0s, max_future_skew: 0s}");
  configure(yaml);
  const Partition p{1};
  engine_->open_partition(p);
  post(p, 0, "acme", now_);
  post(p, 1, "acme", now_ + Millis{1});
  EXPECT_EQ(count(EventResult::ok), 1u);
  EXPECT_EQ(bad(BadInput::future_timestamp), 1u);
  // The wall clock moves on: the same time is fine now.
  clock_.advance(Millis{1});
  post(p, 2, "acme", now_ + Millis{1});
  EXPECT_EQ(count(EventResult::ok), 2u);
}

// The limit is the highest wall-clock time read so far plus the skew: a clock
// set back (an NTP step) does not turn good events bad; one that jumped ahead
// and came back keeps the limit it reached until the process restarts.
TEST_F(EngineInputTest, WallClockJumpsForwardAndBack) {
  JumpingClock wall(now_);
  use_clock(wall);
  const Partition p{1};
  engine_->open_partition(p);
  post(p, 0, "acme", now_ + minutes(30));
  wall.set(now_ + hours(24));  // forward a day
  post(p, 1, "acme", now_ + hours(24) + minutes(30));
  wall.set(now_ - hours(24));  // back two days
  post(p, 2, "acme", now_ + hours(24) + minutes(40));
  post(p, 3, "acme", now_ + hours(25));  // still within the skew of the day reached
  EXPECT_EQ(count(EventResult::ok), 4u);
  EXPECT_EQ(count(EventResult::bad), 0u);
  post(p, 4, "acme", now_ + hours(25) + Millis{1});
  EXPECT_EQ(bad(BadInput::future_timestamp), 1u);
  wall.set(now_ + hours(48));  // forward again: the limit follows
  post(p, 5, "acme", now_ + hours(48) + minutes(59));
  EXPECT_EQ(count(EventResult::ok), 5u);
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(store_->meta(p)->max_event_time, now_ + hours(48) + minutes(59));
  // A quiet partition told a wall-clock time behind its events (the clock set
  // back) keeps its clock: nothing is evaluated, nothing moves back.
  const auto evaluations = engine_->stats().evaluations;
  engine_->advance_idle(p, now_ - hours(72));
  EXPECT_EQ(engine_->stats().evaluations, evaluations);
  EXPECT_EQ(store_->meta(p)->max_event_time, now_ + hours(48) + minutes(59));
}

// Times far in the past are in range (0000-01-01 at the earliest, as RFC 3339
// spells it) and never overflow: as a partition's first event such a time opens
// its clock, the next event moves it on; after that, it is late.
TEST_F(EngineInputTest, FarPastEventsAreLateAndOverflowNothing) {
  const Partition p{1};
  engine_->open_partition(p);
  post(p, 0, "acme", *parse_rfc3339("0000-01-01T00:00:00Z"));
  post(p, 1, "acme", now_);
  post(p, 2, "acme", *parse_rfc3339("0001-01-01T00:00:00Z"));
  post(p, 3, "acme", from_epoch_ms(-1));
  EXPECT_EQ(count(EventResult::ok), 2u);
  EXPECT_EQ(count(EventResult::late), 2u);
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(store_->meta(p)->max_event_time, now_);
  // Beyond the range, a timestamp is bad input.
  payload_ = R"({"type":"post","id":"x","account":"acme","ts":-62167219200001,"post_id":"p"})";
  SourceMessage m;
  m.partition = p;
  m.offset = Offset{4};
  m.next = Offset{5};
  m.payload = payload_;
  m.capacity = payload_.size();
  engine_->process(m);
  EXPECT_EQ(bad(BadInput::bad_timestamp), 1u);
}

TEST(BadInputLog, NamesThePartitionAsTheSourceNumbersIt) {
  SourceMessage m;
  m.partition = Partition{(1 << 16) | 0};  // Kafka source 1, partition 0, packed
  m.source_partition = 0;
  m.topic = "social.events";
  m.offset = Offset{42};
  EXPECT_EQ(describe_bad_input(m, DecodeOutcome{false, BadInput::invalid_json, {}}),
            "social.events partition 0 offset 42: invalid_json");
  m.partition = Partition{(2 << 16) | 7};
  m.source_partition = 7;
  EXPECT_EQ(describe_bad_input(m, DecodeOutcome{false, BadInput::missing_field, "ts"}),
            "social.events partition 7 offset 42: missing_field ts");
  SourceMessage file;  // a file source: partition 0, no topic
  file.offset = Offset{9};
  EXPECT_EQ(describe_bad_input(file, DecodeOutcome{false, BadInput::oversized, {}}),
            "partition 0 offset 9: oversized");
}

}  // namespace
}  // namespace kilter::pipeline

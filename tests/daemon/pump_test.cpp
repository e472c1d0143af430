// The pump drives a real Engine (over a temporary RocksDB store) from a fake
// in-memory source, on a simulated loop: its turns, waits and timers run only
// when the test moves the simulated clock.
#include "daemon/pump.h"

#include <gtest/gtest.h>

#include <deque>
#include <thread>

#include "daemon/commands.h"
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::daemon {
namespace {

using namespace std::chrono_literals;
using pipeline::PollStatus;
using pipeline::SourceMessage;

const Partition kP{0};

// Messages of one partition from memory; `live`: idle (not at its end) once
// they are all handed out, as a Kafka source is.
class FakeSource final : public pipeline::Source {
 public:
  explicit FakeSource(bool live) : live_(live) {}

  void add(std::string payload) { queued_.push_back(std::move(payload)); }
  void fail_with(Error e) { failure_ = std::move(e); }

  std::vector<Partition> partitions() const override { return {kP}; }
  Result<void> seek(Partition, Offset o) override {
    next_ = o.value();
    return ok();
  }
  Result<PollStatus> poll(std::vector<SourceMessage>& out, std::size_t max) override {
    ++polls;
    if (failure_) return *failure_;
    handed_.clear();  // views stay valid until the next poll
    while (!queued_.empty() && handed_.size() < max) {
      handed_.push_back(std::move(queued_.front()));
      queued_.pop_front();
    }
    for (const auto& payload : handed_) {
      SourceMessage m;
      m.partition = kP;
      m.offset = Offset{next_};
      m.next = Offset{++next_};
      m.payload = payload;
      m.capacity = payload.size();
      out.push_back(m);
    }
    if (!handed_.empty()) return PollStatus::data;
    return live_ ? PollStatus::idle : PollStatus::end;
  }
  std::string describe() const override { return "fake"; }
  std::vector<pipeline::PartitionLag> lag() const override {
    if (!live_) return {};
    return {{kP, 0, "fake", static_cast<std::int64_t>(queued_.size())}};
  }
  bool live() const override { return live_; }
  void close() override { closed = true; }

  std::size_t polls = 0;
  bool closed = false;
  std::int64_t handed_out() const { return next_; }

 private:
  bool live_;
  std::deque<std::string> queued_;
  std::deque<std::string> handed_;
  std::int64_t next_ = 0;
  std::optional<Error> failure_;
};

class PumpTest : public pipeline::EngineTest {
 protected:
  // A post of `account` at `ts`, as the source's next message.
  static std::string post(int n, const std::string& account, TimePoint ts) {
    return R"({"type":"post","id":"e)" + std::to_string(n) + R"(","account":")" + account +
           R"(","ts":)" + std::to_string(epoch_ms(ts)) + R"(,"post_id":"p)" + std::to_string(n) +
           R"(","text":"t","category":"professional"})";
  }

  void start(FakeSource& source, PumpOptions opts = {}) {
    for (auto p : source.partitions()) {
      if (auto position = engine_->open_partition(p)) {
        ASSERT_TRUE(source.seek(p, *position).ok());
      }
    }
    pump_ = std::make_unique<Pump>(clock_, source, *engine_, *outbox_, opts);
    pump_->on_stopped([this](int code) { stopped_ = code; });
    pump_->start();
    clock_.run_posted();
  }

  // Moves the simulated clock in steps of `step` until `done` holds; the store's
  // writer thread works in real time, so each step also yields to it. False
  // after a generous deadline.
  template <class F>
  bool advance_until(F done, Millis step = 10ms) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= until) return false;
      clock_.advance(step);
      std::this_thread::sleep_for(1ms);
    }
    return true;
  }

  std::optional<Offset> stored_position() {
    auto m = store_->meta(kP);
    return m ? std::optional<Offset>(m->position) : std::nullopt;
  }

  void TearDown() override {
    pump_.reset();
    EngineTest::TearDown();
  }

  std::unique_ptr<Pump> pump_;
  std::optional<int> stopped_;
};

TEST_F(PumpTest, HandsEveryMessageToTheEngineAndCommitsAtTheEnd) {
  FakeSource source(/*live=*/false);
  for (int i = 0; i < 100; ++i) source.add(post(i, "acme", t0_ + std::chrono::minutes(i)));
  PumpOptions opts;
  opts.slice = 16;  // several turns of the loop
  start(source, opts);
  ASSERT_TRUE(advance_until([&] { return stopped_.has_value(); }));
  EXPECT_EQ(*stopped_, kExitOk);
  EXPECT_EQ(pump_->exit_code(), kExitOk);
  EXPECT_EQ(engine_->stats().events[0], 100u);
  EXPECT_EQ(engine_->uncommitted(), 0u);
  EXPECT_EQ(stored_posts(kP, "acme"), 100u);
  EXPECT_EQ(stored_position(), Offset{100});
  EXPECT_TRUE(source.closed);
  EXPECT_GE(source.polls, 100u / 16);
}

TEST_F(PumpTest, QuietPartitionsOfALiveSourceAreEvaluatedOnWallClockTime) {
  FakeSource source(/*live=*/true);
  for (int i = 0; i < 5; ++i) source.add(post(i, "acme", t0_ + std::chrono::minutes(i)));
  PumpOptions opts;
  opts.idle_wait = 1s;
  opts.evaluation_interval = 60s;
  start(source, opts);
  ASSERT_TRUE(advance_until([&] { return engine_->stats().events[0] == 5; }));
  EXPECT_EQ(engine_->stats().idle_evaluations, 0u);
  // The first tick finds the partition active since the last one: not quiet.
  clock_.advance(59s);
  EXPECT_EQ(engine_->stats().idle_evaluations, 0u);
  clock_.advance(2s);
  EXPECT_EQ(engine_->stats().idle_evaluations, 0u);
  // At the next tick it was quiet and caught up: its clock follows the
  // simulated wall clock (a year after the events), and its accounts are
  // evaluated without an event.
  clock_.advance(60s);
  EXPECT_GT(engine_->stats().idle_evaluations, 0u);
  EXPECT_FALSE(stopped_.has_value());
  pump_->stop();
  ASSERT_TRUE(advance_until([&] { return stopped_.has_value(); }));
  EXPECT_EQ(*stopped_, kExitOk);
}

TEST_F(PumpTest, StopCommitsWhatWasProcessed) {
  FakeSource source(/*live=*/true);
  for (int i = 0; i < 10; ++i) source.add(post(i, "acme", t0_ + std::chrono::minutes(i)));
  start(source);
  // Taken, not yet committed: the commit interval (1 s) has not passed.
  ASSERT_EQ(engine_->stats().events[0], 10u);
  EXPECT_EQ(engine_->uncommitted(), 10u);
  EXPECT_NE(stored_position(), Offset{10});
  pump_->stop();
  ASSERT_TRUE(advance_until([&] { return stopped_.has_value(); }));
  EXPECT_EQ(*stopped_, kExitOk);
  EXPECT_EQ(engine_->uncommitted(), 0u);
  EXPECT_EQ(stored_position(), Offset{10});
  EXPECT_EQ(stored_posts(kP, "acme"), 10u);
  EXPECT_TRUE(source.closed);
  pump_->stop();  // idempotent
}

TEST_F(PumpTest, ASourceFailureStopsWithTheRuntimeExitCode) {
  FakeSource source(/*live=*/true);
  for (int i = 0; i < 3; ++i) source.add(post(i, "acme", t0_ + std::chrono::minutes(i)));
  start(source);
  ASSERT_EQ(engine_->stats().events[0], 3u);
  source.fail_with(Error{"broker said no", Errc::failed});
  ASSERT_TRUE(advance_until([&] { return stopped_.has_value(); }));
  EXPECT_EQ(*stopped_, kExitRuntime);
  EXPECT_EQ(pump_->exit_code(), kExitRuntime);
  // What was processed before the failure is committed on the way out.
  EXPECT_EQ(stored_position(), Offset{3});
}

TEST_F(PumpTest, AFullDiskStopsWithTheRuntimeExitCode) {
  FakeSource source(/*live=*/true);
  for (int i = 0; i < 3; ++i) source.add(post(i, "acme", t0_ + std::chrono::minutes(i)));
  start(source);
  faults_->set(storage::WriteFaults::Mode::no_space);
  ASSERT_TRUE(advance_until([&] { return stopped_.has_value(); }));
  EXPECT_EQ(*stopped_, kExitRuntime);
  ASSERT_TRUE(store_->failure().has_value());
  EXPECT_EQ(store_->failure()->code, Errc::no_space);
  faults_->set(storage::WriteFaults::Mode::none);
}

}  // namespace
}  // namespace kilter::daemon

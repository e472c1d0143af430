// The outbox and its delivery workers on a simulated event loop, against a real
// RocksDB store: order, retries with backoff, Retry-After, rate limits, grouping,
// refusals, restarts, the bound, and reminders.
#include "pipeline/delivery/outbox.h"

#include <gtest/gtest.h>

#include "pipeline/delivery/record_format.h"

#include <deque>
#include <filesystem>
#include <random>

namespace kilter::pipeline {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A sink whose answers the test scripts; it answers at once unless `hold` is set.
class FakeSink final : public Sink {
 public:
  FakeSink(std::string name, bool groups) : name_(std::move(name)), groups_(groups) {}
  const std::string& name() const override { return name_; }
  bool groups() const override { return groups_; }
  void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) override {
    auto& call = calls.emplace_back();
    for (const auto& a : alerts) {
      call.push_back(a->json);
      accounts.push_back(a->record.account);
    }
    times.push_back(clock->steady_now());
    if (hold) {
      held.push_back(std::move(done));
      return;
    }
    SinkResult r{true, false, {}, {}};
    if (!script.empty()) {
      r = script.front();
      script.pop_front();
    }
    done(r);
  }
  std::vector<std::vector<std::string>> calls;  // the JSON lines of each delivery
  std::vector<std::string> accounts;            // of every record delivered, typed
  std::vector<std::chrono::steady_clock::time_point> times;
  std::deque<SinkResult> script;
  std::vector<std::function<void(SinkResult)>> held;
  bool hold = false;
  const Clock* clock = nullptr;

 private:
  std::string name_;
  bool groups_;
};

SinkResult failure(std::optional<Millis> retry_after = {}) {
  return {false, false, retry_after, "HTTP 500"};
}
SinkResult refusal() {
  return {false, true, {}, "HTTP 400"};
}

AlertRecord rec(const std::string& account, int n) {
  AlertRecord r;
  r.alert_id = account + "/posts/1d#" + std::to_string(n);
  r.account = account;
  r.summary = "s";
  r.starts_at = from_epoch_ms(1'763'600'000'000);
  return r;
}
std::string record(const std::string& account, int n) {
  return to_json(rec(account, n));
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("kilter-outbox-" + std::to_string(rd()));
    open_store();
  }
  void TearDown() override {
    outbox_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void open_store() {
    outbox_.reset();
    store_.reset();
    auto s = storage::open_rocks_store({.path = dir_.string()});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  // Sinks "a" (plain) and "b" (grouping), with the given slot settings for b.
  void make(config::OutboxConfig cfg = {}, double rate_b = 0, Millis wait_b = Millis{0},
            Millis repeat_b = Millis{0}) {
    auto a = std::make_unique<FakeSink>("a", false);
    auto b = std::make_unique<FakeSink>("b", true);
    a_ = a.get();
    b_ = b.get();
    a_->clock = b_->clock = &loop_;
    std::vector<SinkSlot> slots;
    slots.push_back({std::move(a), 0, Millis{0}, Millis{0}});
    slots.push_back({std::move(b), rate_b, wait_b, repeat_b});
    outbox_ =
        std::make_unique<Outbox>(loop_, *store_, std::move(slots), cfg, [this] { return firing_; });
  }
  // Writes an entry to the store as the engine does, then hands it over.
  void add(std::uint64_t seq, const std::string& json,
           std::vector<std::string> sinks = {"a", "b"}) {
    auto batch = store_->new_batch();
    batch->put_outbox(Partition{0}, seq, json, sinks);
    ASSERT_TRUE(store_->commit(*batch, false).ok());
    auto r = parse_alert_record(json);
    ASSERT_TRUE(r.ok()) << r.error().message;
    outbox_->committed(Partition{0}, seq, std::move(*r), json, std::move(sinks));
  }
  // Writes an entry to the store only, as an earlier run left it.
  void store_entry(std::uint64_t seq, std::string_view json, std::vector<std::string> sinks) {
    auto batch = store_->new_batch();
    batch->put_outbox(Partition{0}, seq, json, sinks);
    ASSERT_TRUE(store_->commit(*batch, false).ok());
  }
  std::size_t stored() {
    std::size_t n = 0;
    store_->scan_outbox(Partition{0}, [&](std::uint64_t, std::string_view,
                                          const std::vector<std::string>&, bool) { ++n; });
    return n;
  }
  std::vector<std::string> owed(std::uint64_t seq) {
    std::vector<std::string> out;
    store_->scan_outbox(Partition{0}, [&](std::uint64_t s, std::string_view,
                                          const std::vector<std::string>& sinks, bool) {
      if (s == seq) out = sinks;
    });
    return out;
  }

  std::filesystem::path dir_;
  SimulatedDispatcher loop_;
  std::unique_ptr<storage::StateStore> store_;
  std::unique_ptr<Outbox> outbox_;
  FakeSink* a_ = nullptr;
  FakeSink* b_ = nullptr;
  std::vector<FiringAlert> firing_;
};

TEST_F(OutboxTest, DeliversInOrderAndDeletesOnceEverySinkConfirmed) {
  make();
  add(1, record("acme", 1));
  add(2, record("acme", 2), {"a"});
  loop_.run_posted();
  ASSERT_EQ(a_->calls.size(), 2u);
  EXPECT_EQ(a_->calls[0][0], record("acme", 1));
  EXPECT_EQ(a_->calls[1][0], record("acme", 2));
  ASSERT_EQ(b_->calls.size(), 1u);
  EXPECT_TRUE(outbox_->idle());
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(outbox_->stats().delivered, 2u);
}

TEST_F(OutboxTest, RetriesWithGrowingBackoffAndKeepsTheEntryUntilConfirmed) {
  make({.retry_initial = seconds(1), .retry_max = seconds(8)});
  a_->script = {failure(), failure(), failure(), failure(), failure()};
  add(1, record("acme", 1), {"a"});
  loop_.run_posted();
  ASSERT_EQ(a_->calls.size(), 1u);
  loop_.advance(seconds(60));
  ASSERT_EQ(a_->calls.size(), 6u);  // five failures, then success
  std::vector<Millis> gaps;
  for (std::size_t i = 1; i < a_->times.size(); ++i)
    gaps.push_back(std::chrono::duration_cast<Millis>(a_->times[i] - a_->times[i - 1]));
  // Equal jitter: each wait is between half and all of 1, 2, 4, 8, 8 s.
  const std::int64_t bases[] = {1000, 2000, 4000, 8000, 8000};
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i].count(), bases[i] / 2) << i;
    EXPECT_LE(gaps[i].count(), bases[i] + 2) << i;
  }
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(outbox_->sink_stats()[0].attempts_failed, 5u);
}

TEST_F(OutboxTest, RetryAfterIsHonoured) {
  make({.retry_initial = milliseconds(100)});
  a_->script = {failure(seconds(30))};
  add(1, record("acme", 1), {"a"});
  loop_.run_posted();
  loop_.advance(seconds(29));
  EXPECT_EQ(a_->calls.size(), 1u);
  loop_.advance(seconds(2));
  EXPECT_EQ(a_->calls.size(), 2u);
}

TEST_F(OutboxTest, RateLimitSpacesTheNotifications) {
  make({}, /*rate_b=*/0.5);
  for (int i = 0; i < 3; ++i)
    add(static_cast<std::uint64_t>(i), record("acct" + std::to_string(i), i), {"b"});
  loop_.advance(seconds(10));
  ASSERT_EQ(b_->calls.size(), 3u);
  for (std::size_t i = 1; i < 3; ++i) EXPECT_GE(b_->times[i] - b_->times[i - 1], seconds(2)) << i;
}

TEST_F(OutboxTest, GroupWaitSendsAnAccountsAlertsTogether) {
  make({}, 0, /*wait_b=*/seconds(30));
  add(1, record("acme", 1), {"b"});
  loop_.advance(seconds(10));
  add(2, record("acme", 2), {"b"});
  add(3, record("globex", 3), {"b"});
  EXPECT_TRUE(b_->calls.empty());
  loop_.advance(seconds(25));
  ASSERT_EQ(b_->calls.size(), 1u);
  EXPECT_EQ(b_->calls[0], (std::vector<std::string>{record("acme", 1), record("acme", 2)}));
  loop_.advance(seconds(30));
  ASSERT_EQ(b_->calls.size(), 2u);
  EXPECT_EQ(b_->calls[1], std::vector<std::string>{record("globex", 3)});
}

TEST_F(OutboxTest, RefusedRecordsAreGivenUpAfterThreeAttempts) {
  make({.retry_initial = milliseconds(10)});
  a_->script = {refusal(), refusal(), refusal()};
  add(1, record("acme", 1), {"a"});
  add(2, record("acme", 2), {"a"});
  loop_.advance(seconds(5));
  ASSERT_EQ(a_->calls.size(), 4u);  // three refusals of the first, then the second
  EXPECT_EQ(a_->calls[3][0], record("acme", 2));
  EXPECT_EQ(outbox_->sink_stats()[0].rejected, 1u);
  EXPECT_EQ(stored(), 0u);
}

TEST_F(OutboxTest, ARestartOwesOnlyWhatWasNotConfirmed) {
  make();
  b_->hold = true;  // b never answers before the "crash"
  add(1, record("acme", 1));
  loop_.run_posted();
  EXPECT_EQ(a_->calls.size(), 1u);
  EXPECT_EQ(owed(1), std::vector<std::string>{"b"});
  outbox_.reset();
  open_store();
  make();
  outbox_->restore_all();
  loop_.run_posted();
  EXPECT_TRUE(a_->calls.empty()) << "a confirmed it before the restart";
  ASSERT_EQ(b_->calls.size(), 1u);
  EXPECT_EQ(stored(), 0u);
}

TEST_F(OutboxTest, EntriesOwedToASinkNoLongerConfiguredAreDroppedForIt) {
  make();
  store_entry(9, record("acme", 9), {"gone", "a"});
  outbox_->restore_all();
  loop_.run_posted();
  EXPECT_EQ(a_->calls.size(), 1u);
  EXPECT_EQ(outbox_->stats().unknown_sinks, 1u);
  EXPECT_EQ(stored(), 0u);
}

// After a restart the stored line is read back once: the sinks get the typed
// record and the line exactly as stored (an earlier version's spelling included).
TEST_F(OutboxTest, ARestoredEntryIsTypedAndKeepsItsStoredLine) {
  make();
  const std::string older =
      R"({"alert_id":"acme/posts/1d", "account":"acme","status":"firing","summary":"s",)"
      R"("starts_at":"2026-11-20T10:00:00Z","value":3,"retired_key":[1]})";
  store_entry(4, older, {"a", "b"});
  outbox_->restore_all();
  loop_.run_posted();
  ASSERT_EQ(a_->calls.size(), 1u);
  EXPECT_EQ(a_->calls[0][0], older);
  EXPECT_EQ(a_->accounts, std::vector<std::string>{"acme"});
  ASSERT_EQ(b_->calls.size(), 1u);
  EXPECT_EQ(stored(), 0u);
}

// A stored entry that is no alert record is counted, dropped from the store, and
// stops nothing: the entries around it are delivered.
TEST_F(OutboxTest, AnUnreadableStoredEntryIsCountedAndDropped) {
  make();
  store_entry(1, record("acme", 1), {"a"});
  store_entry(2, "{\"alert_id\":\"half", {"a"});
  store_entry(3, R"({"alert_id":"x","account":"x","status":"pending"})", {"a"});
  store_entry(4, record("acme", 4), {"a"});
  outbox_->restore_all();
  loop_.run_posted();
  ASSERT_EQ(a_->calls.size(), 2u);
  EXPECT_EQ(a_->calls[0][0], record("acme", 1));
  EXPECT_EQ(a_->calls[1][0], record("acme", 4));
  EXPECT_EQ(outbox_->stats().unreadable, 2u);
  EXPECT_EQ(stored(), 0u);
  EXPECT_TRUE(outbox_->idle());
}

TEST_F(OutboxTest, FullAtTheBoundAndBelowAgainOnceDelivered) {
  make({.max_entries = 2});
  a_->hold = true;
  add(1, record("acme", 1), {"a"});
  EXPECT_FALSE(outbox_->full());
  add(2, record("acme", 2), {"a"});
  EXPECT_TRUE(outbox_->full());
  loop_.run_posted();
  a_->hold = false;
  a_->held.front()({true, false, {}, {}});
  loop_.run_posted();
  EXPECT_FALSE(outbox_->full());
}

TEST_F(OutboxTest, RemindsOfStillFiringAlertsEveryRepeatInterval) {
  make({}, 0, Millis{0}, /*repeat_b=*/std::chrono::hours(4));
  firing_ = {{rec("acme", 1), {"b"}}, {rec("globex", 2), {"a"}}};
  add(1, record("acme", 1), {"b"});
  loop_.run_posted();
  ASSERT_EQ(b_->calls.size(), 1u);
  loop_.advance(std::chrono::hours(3));
  EXPECT_EQ(b_->calls.size(), 1u);
  loop_.advance(std::chrono::hours(2));
  ASSERT_EQ(b_->calls.size(), 2u);
  EXPECT_EQ(b_->calls[1][0], record("acme", 1));
  EXPECT_EQ(outbox_->sink_stats()[1].reminders, 1u);
  EXPECT_TRUE(a_->calls.empty()) << "a has no repeat_interval";
  firing_.clear();  // resolved: no more reminders
  loop_.advance(std::chrono::hours(10));
  EXPECT_EQ(b_->calls.size(), 2u);
}

TEST_F(OutboxTest, ReplacingTheSinksKeepsQueuesDropsRemovedOnesAndAddsNewOnes) {
  make();
  a_->hold = true;
  b_->hold = true;
  add(1, record("acme", 1));
  add(2, record("acme", 2));
  loop_.run_posted();
  ASSERT_EQ(a_->held.size(), 1u);  // record 1 in flight on the old "a"
  // A reload: "a" stays (a new object), "b" goes, "c" comes.
  auto a2 = std::make_unique<FakeSink>("a", false);
  auto c = std::make_unique<FakeSink>("c", false);
  auto* a2_raw = a2.get();
  auto* c_raw = c.get();
  a2_raw->clock = c_raw->clock = &loop_;
  std::vector<SinkSlot> slots;
  slots.push_back({std::move(a2), 0, Millis{0}, Millis{0}});
  slots.push_back({std::move(c), 0, Millis{0}, Millis{0}});
  outbox_->replace_sinks(std::move(slots), {});
  // The in-flight delivery finishes on the old sink; the rest goes to the new one.
  a_->held.front()({true, false, {}, {}});
  loop_.run_posted();
  ASSERT_EQ(a2_raw->calls.size(), 1u);
  EXPECT_EQ(a2_raw->calls[0][0], record("acme", 2));
  EXPECT_TRUE(c_raw->calls.empty()) << "nothing was routed to c";
  EXPECT_TRUE(outbox_->idle()) << "b's share was dropped with it";
  EXPECT_EQ(stored(), 0u);
  add(3, record("acme", 3), {"c"});
  loop_.run_posted();
  EXPECT_EQ(c_raw->calls.size(), 1u);
  auto names = outbox_->sink_stats();
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].name, "a");
  EXPECT_EQ(names[1].name, "c");
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

// With a changelog, the confirmations of the partitions the engine holds are
// written in its commits (they move with the partition), the others at once.
TEST_F(OutboxTest, ConfirmationsOfHeldPartitionsWaitForTheEnginesCommit) {
  make();
  bool held = true;
  outbox_->record_with([&](Partition) { return held; });
  add(1, record("acme", 1));
  loop_.run_posted();
  ASSERT_EQ(a_->calls.size(), 1u);
  ASSERT_EQ(b_->calls.size(), 1u);
  EXPECT_EQ(stored(), 1u) << "written by the engine's commit, not by the outbox";
  EXPECT_TRUE(outbox_->has_confirmations());
  EXPECT_FALSE(outbox_->idle());
  auto batch = store_->new_batch();
  outbox_->stage_confirmations(*batch);
  EXPECT_FALSE(outbox_->has_confirmations());
  ASSERT_TRUE(store_->commit(*batch, false).ok());
  EXPECT_EQ(stored(), 0u);
  EXPECT_TRUE(outbox_->idle());

  // A partition no longer held: its outbox writes them itself again.
  held = false;
  add(2, record("acme", 2));
  loop_.run_posted();
  EXPECT_FALSE(outbox_->has_confirmations());
  EXPECT_EQ(stored(), 0u);
}

}  // namespace
}  // namespace kilter::pipeline

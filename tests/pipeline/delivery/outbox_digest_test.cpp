// Digest records through the outbox: a grouping sink gets one delivery per
// digest run (same digest, same period end) whatever the accounts, alerts are
// never mixed in; a sink with no use for digests (Alertmanager) confirms them
// unsent and counts them; a restart reads stored lines back by their "type".
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "common/time.h"
#include "pipeline/delivery/outbox.h"
#include "pipeline/delivery/record_format.h"

namespace kilter::pipeline {
namespace {

using std::chrono::seconds;

class Recorder final : public Sink {
 public:
  Recorder(std::string name, bool groups, bool digests)
      : name_(std::move(name)), groups_(groups), digests_(digests) {}
  const std::string& name() const override { return name_; }
  bool groups() const override { return groups_; }
  bool takes_digests() const override { return digests_; }
  void deliver(std::span<const AlertRef> records, std::function<void(SinkResult)> done) override {
    auto& call = calls.emplace_back();
    for (const auto& r : records) call.push_back(r->id());
    done({true, false, {}, {}});
  }
  std::vector<std::vector<std::string>> calls;  // the ids of each delivery

 private:
  std::string name_;
  bool groups_, digests_;
};

DigestRecord digest(const std::string& name, const std::string& account, const char* to) {
  DigestRecord d;
  d.digest = name;
  d.account = account;
  d.to_text = to;
  d.to = *parse_rfc3339(to);
  d.from_text = "2026-11-19T09:00:00+01:00";
  d.from = *parse_rfc3339(d.from_text);
  d.digest_id = fmt::format("{}/{}/{}", name, account, to);
  return d;
}

AlertRecord alert(const std::string& account) {
  AlertRecord r;
  r.alert_id = fmt::format("{}/posts/1d", account);
  r.account = account;
  r.summary = r.alert_id;
  r.starts_at = from_epoch_ms(1'763'600'000'000);
  return r;
}

class OutboxDigests : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("kilter-outbox-d-" + std::to_string(rd()));
    open();
  }
  void TearDown() override {
    outbox_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void open() {
    outbox_.reset();
    store_.reset();
    auto s = storage::open_rocks_store({.path = dir_.string()});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto file = std::make_unique<Recorder>("file", false, true);
    auto slack = std::make_unique<Recorder>("slack", true, true);
    auto am = std::make_unique<Recorder>("alertmanager", true, false);
    file_ = file.get();
    slack_ = slack.get();
    am_ = am.get();
    std::vector<SinkSlot> slots;
    slots.push_back({std::move(file), 0, Millis{0}, Millis{0}});
    slots.push_back({std::move(slack), 0, seconds(5), Millis{0}});  // group_wait
    slots.push_back({std::move(am), 0, Millis{0}, Millis{0}});
    outbox_ = std::make_unique<Outbox>(loop_, *store_, std::move(slots), config::OutboxConfig{});
  }
  std::vector<std::string> all() { return {"file", "slack", "alertmanager"}; }
  void stage(std::uint64_t seq, const std::string& json) {
    auto b = store_->new_batch();
    b->put_outbox(Partition{0}, seq, json, all());
    ASSERT_TRUE(store_->commit(*b, false).ok());
  }
  void add(std::uint64_t seq, DigestRecord d) {
    auto json = to_json(d);
    stage(seq, json);
    outbox_->committed(Partition{0}, seq, std::move(d), json, all());
  }
  void add(std::uint64_t seq, AlertRecord a) {
    auto json = to_json(a);
    stage(seq, json);
    outbox_->committed(Partition{0}, seq, std::move(a), json, all());
  }
  std::uint64_t skipped(const std::string& sink) {
    for (const auto& s : outbox_->sink_stats())
      if (s.name == sink) return s.skipped;
    return 0;
  }

  std::filesystem::path dir_;
  SimulatedDispatcher loop_;
  std::unique_ptr<storage::StateStore> store_;
  std::unique_ptr<Outbox> outbox_;
  Recorder *file_ = nullptr, *slack_ = nullptr, *am_ = nullptr;
};

constexpr const char* kMonday = "2026-11-23T09:00:00+01:00";
constexpr const char* kTuesday = "2026-11-24T09:00:00+01:00";

TEST_F(OutboxDigests, AGroupingSinkGetsOneMessagePerRun) {
  add(1, digest("review", "acme", kMonday));
  add(2, alert("acme"));
  add(3, digest("review", "globex", kMonday));
  add(4, digest("review", "acme", kTuesday));
  add(5, digest("weekly", "acme", kMonday));
  add(6, digest("review", "initech", kMonday));
  loop_.advance(seconds(10));
  // The file sink: one record per delivery, in order.
  ASSERT_EQ(file_->calls.size(), 6u);
  EXPECT_EQ(file_->calls[0], std::vector<std::string>{"review/acme/2026-11-23T09:00:00+01:00"});
  // Slack: the Monday run of "review" (three accounts) in one message; the alert,
  // the Tuesday run and the weekly digest each in their own.
  ASSERT_EQ(slack_->calls.size(), 4u);
  EXPECT_EQ(slack_->calls[0],
            (std::vector<std::string>{"review/acme/2026-11-23T09:00:00+01:00",
                                      "review/globex/2026-11-23T09:00:00+01:00",
                                      "review/initech/2026-11-23T09:00:00+01:00"}));
  EXPECT_EQ(slack_->calls[1], std::vector<std::string>{"acme/posts/1d"});
  EXPECT_EQ(slack_->calls[2], std::vector<std::string>{"review/acme/2026-11-24T09:00:00+01:00"});
  EXPECT_EQ(slack_->calls[3], std::vector<std::string>{"weekly/acme/2026-11-23T09:00:00+01:00"});
  // Alertmanager: the alert only; the five digests confirmed unsent.
  ASSERT_EQ(am_->calls.size(), 1u);
  EXPECT_EQ(am_->calls[0], std::vector<std::string>{"acme/posts/1d"});
  EXPECT_EQ(skipped("alertmanager"), 5u);
  EXPECT_EQ(skipped("slack"), 0u);
  loop_.run_posted();
  EXPECT_TRUE(outbox_->idle());
}

TEST_F(OutboxDigests, ARunCommittedTogetherIsOneMessageWithoutAGroupWait) {
  std::vector<SinkSlot> slots;
  auto teams = std::make_unique<Recorder>("teams", true, true);
  auto* t = teams.get();
  slots.push_back({std::move(teams), 0, Millis{0}, Millis{0}});
  outbox_ = std::make_unique<Outbox>(loop_, *store_, std::move(slots), config::OutboxConfig{});
  // As the engine hands over a written batch: one after the other, in one turn.
  for (std::uint64_t i = 0; i < 3; ++i) {
    auto d = digest("review", fmt::format("account-{}", i), kMonday);
    auto json = to_json(d);
    outbox_->committed(Partition{0}, 10 + i, std::move(d), json, {"teams"});
  }
  EXPECT_TRUE(t->calls.empty());
  loop_.run_posted();
  ASSERT_EQ(t->calls.size(), 1u);
  EXPECT_EQ(t->calls[0].size(), 3u);
}

TEST_F(OutboxDigests, ARestartReadsDigestsAndAlertsBackByType) {
  const auto d = to_json(digest("review", "acme", kMonday));
  stage(1, d);
  // An alert line as written before records had a type.
  stage(2, to_json(alert("acme")));
  stage(3, R"({"type":"digest","digest":"broken"})");
  open();
  outbox_->restore_all();
  loop_.advance(seconds(10));
  ASSERT_EQ(file_->calls.size(), 2u);
  EXPECT_EQ(file_->calls[0], std::vector<std::string>{"review/acme/2026-11-23T09:00:00+01:00"});
  EXPECT_EQ(file_->calls[1], std::vector<std::string>{"acme/posts/1d"});
  EXPECT_EQ(outbox_->stats().unreadable, 1u);
  EXPECT_EQ(skipped("alertmanager"), 1u);
}

}  // namespace
}  // namespace kilter::pipeline

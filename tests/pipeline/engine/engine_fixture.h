// An Engine over a real RocksDB store in a temporary directory, a simulated
// clock, a recording sink and a checkpointer that can refuse: for the engine's
// tests and for the daemon's API tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "common/dispatcher.h"
#include "common/time.h"
#include "config/loader.h"
#include "pipeline/engine/engine.h"

namespace kilter::pipeline {

inline constexpr const char* kEngineConfig = R"(
source: {file: unused.ndjson}
storage: {path: state, bucket: 1h, commit_interval: 1s}
pipeline: {allowed_lateness: 0s}
profiles:
  brand:
    rules:
      - {name: gone-silent, metric: posts, window: 1d, min: 1}
default_profile: brand
)";

class RecordingSink final : public Sink {
 public:
  const std::string& name() const override { return name_; }
  void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) override {
    for (const auto& a : alerts) records.push_back(a->json);
    done({true, false, {}, {}});
  }
  std::vector<std::string> records;  // the SPEC JSON lines

 private:
  std::string name_ = "log";  // the sink of a configuration without sinks
};

class FakeCheckpointer final : public Checkpointer {
 public:
  Result<void> checkpoint(std::span<const Position> p) override {
    offered.assign(p.begin(), p.end());
    if (refuse) return Error{"group rebalancing", code};
    accepted.assign(p.begin(), p.end());
    return ok();
  }
  bool refuse = false;
  Errc code = Errc::failed;  // of a refusal: failed says retrying alone cannot help
  std::vector<Position> offered, accepted;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("kilter-engine-" + std::to_string(rd()));
    auto c = make_lexicon_classifier({});
    ASSERT_TRUE(c.ok());
    classifier_ = std::move(*c);
    configure(kEngineConfig);
  }
  // Loads `yaml` and reopens everything on the same state directory.
  void configure(const std::string& yaml) {
    engine_.reset();
    auto loaded = config::load_string(yaml, "k.yaml", dir_.string());
    ASSERT_TRUE(loaded.config) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
    cfg_ = std::make_shared<const config::Config>(*loaded.config);
    open();
  }
  void TearDown() override {
    engine_.reset();
    outbox_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void open() {
    engine_.reset();
    outbox_.reset();
    store_.reset();
    auto s = storage::open_rocks_store({.path = cfg_->storage.path, .faults = faults_});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
    auto sink = std::make_unique<RecordingSink>();
    sink_ = sink.get();
    std::vector<SinkSlot> sinks;
    sinks.push_back({std::move(sink), 0, Millis{0}, Millis{0}});
    outbox_ = std::make_unique<Outbox>(clock_, *store_, std::move(sinks), cfg_->outbox);
    engine_ = std::make_unique<Engine>(cfg_, *store_, *classifier_, *outbox_, clock_);
    engine_->set_checkpointer(&checkpointer_);
  }

  // A post of `account` at `ts`, as message `offset` of partition `p`.
  void post(Partition p, std::int64_t offset, const std::string& account, TimePoint ts,
            const std::string& category = "professional") {
    payload_ = R"({"type":"post","id":"e)" + std::to_string(p.value()) + "-" +
               std::to_string(offset) + R"(","account":")" + account + R"(","ts":)" +
               std::to_string(epoch_ms(ts)) + R"(,"post_id":"p)" + std::to_string(offset) +
               R"(","text":"t","category":")" + category + "\"}";
    engine_->process(message(p, offset));
  }
  // Message `offset` of partition p, its payload payload_.
  SourceMessage message(Partition p, std::int64_t offset) const {
    SourceMessage m;
    m.partition = p;
    m.offset = Offset{offset};
    m.next = Offset{offset + 1};
    m.payload = payload_;
    m.capacity = payload_.size();
    return m;
  }

  std::uint64_t stored_posts(Partition p, const std::string& account) {
    std::uint64_t n = 0;
    store_->scan_account_buckets(p, account, TimePoint::min(),
                                 [&](TimePoint, const BucketCounts& c) { n += c.total_posts(); });
    return n;
  }

  const TimePoint t0_ = from_epoch_ms(1'763'625'600'000);  // 2025-11-20T08:00:00Z
  std::filesystem::path dir_;
  std::shared_ptr<const config::Config> cfg_;
  std::unique_ptr<Classifier> classifier_;
  std::unique_ptr<storage::StateStore> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Engine> engine_;
  RecordingSink* sink_ = nullptr;
  FakeCheckpointer checkpointer_;
  // The store's writes fail while this says so (storage/write_faults.h).
  std::shared_ptr<storage::WriteFaults> faults_ = std::make_shared<storage::WriteFaults>();
  // The engine's clock and the outbox's loop. Its wall time is well after the
  // event times the tests write (t0_ and the weeks after it): events further
  // ahead of it than pipeline.max_future_skew would be bad input.
  SimulatedDispatcher clock_{t0_ + std::chrono::days(365)};
  std::string payload_;
};

}  // namespace kilter::pipeline

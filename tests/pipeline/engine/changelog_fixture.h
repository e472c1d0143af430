// The changelog tests' fixture: members (each its own store, outbox and
// engine) over one in-memory changelog and one group coordinator.
#pragma once

#include <thread>

#include "pipeline/changelog/commit_metadata.h"
#include "pipeline/changelog/memory_log.h"
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {

// The group coordinator's view: each partition's committed offset and metadata.
struct Group {
  std::map<Partition, std::pair<Offset, std::string>> committed;
  GroupOffset offset(Partition p, std::int32_t source_partition) const {
    GroupOffset g{"social.events", source_partition, std::nullopt, {}};
    if (auto it = committed.find(p); it != committed.end()) {
      g.committed = it->second.first;
      g.metadata = it->second.second;
    }
    return g;
  }
};

class GroupCheckpointer final : public Checkpointer {
 public:
  explicit GroupCheckpointer(Group& g) : group_(g) {}
  Result<void> checkpoint(std::span<const Position> ps) override {
    if (refuse) return Error{"not a member of this generation", Errc::failed};
    for (const auto& p : ps) group_.committed[p.partition] = {p.next, p.metadata};
    return ok();
  }
  bool refuse = false;

 private:
  Group& group_;
};

// One member: its own store, outbox and engine; the shared log and group.
struct Member {
  Member(const std::filesystem::path& dir, const config::Config& base, Classifier& classifier,
         SimulatedDispatcher& clock, changelog::MemoryLog& log, Group& group,
         changelog::ChainPolicy policy = {}, bool standby = false,
         std::shared_ptr<storage::WriteFaults> faults = nullptr)
      : checkpointer(group), writer(log.writer()) {
    auto c = base;
    c.storage.path = dir.string();
    cfg = std::make_shared<const config::Config>(c);
    auto s = storage::open_rocks_store({.path = c.storage.path, .faults = std::move(faults)});
    EXPECT_TRUE(s.ok());
    store = std::move(*s);
    std::vector<SinkSlot> sinks;
    auto recording = std::make_unique<RecordingSink>();
    sink = recording.get();
    sinks.push_back({std::move(recording), 0, Millis{0}, Millis{0}});
    outbox = std::make_unique<Outbox>(clock, *store, std::move(sinks), c.outbox);
    engine = std::make_unique<Engine>(cfg, *store, classifier, *outbox, clock);
    engine->set_checkpointer(&checkpointer);
    ChangelogOptions o;
    o.writer = writer.get();
    o.policy = policy;
    engine->enable_changelog(
        o, [&log]() -> Result<std::unique_ptr<changelog::ChangelogReader>> { return log.reader(); },
        Millis{5'000}, standby);
  }
  // Waits (a generous deadline: the restore runs on a thread) for the partition's
  // restore to finish; the position it continues from.
  std::optional<Offset> warmed() {
    for (int i = 0; i < 10'000; ++i) {
      engine->poll();
      auto w = engine->take_warmed();
      if (!w.empty()) return w[0].next;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return std::nullopt;
  }

  std::shared_ptr<const config::Config> cfg;
  GroupCheckpointer checkpointer;
  std::unique_ptr<changelog::ChangelogWriter> writer;
  std::unique_ptr<storage::StateStore> store;
  std::unique_ptr<Outbox> outbox;
  RecordingSink* sink = nullptr;  // the outbox's only sink
  std::unique_ptr<Engine> engine;
};

class ChangelogEngineTest : public EngineTest {
 protected:
  std::unique_ptr<Member> member(const std::string& name, changelog::ChainPolicy policy = {},
                                 bool standby = false,
                                 std::shared_ptr<storage::WriteFaults> faults = nullptr) {
    return std::make_unique<Member>(dir_ / name, *cfg_, *classifier_, clock_, log_, group_, policy,
                                    standby, std::move(faults));
  }
  // Message `offset` of partition p: a post of `account`, or engagement on an
  // earlier post of it.
  void send(Engine& e, Partition p, std::int64_t offset, const std::string& account, TimePoint ts) {
    if (offset % 3 == 2)
      payload_ = R"({"type":"engagement","id":"e)" + std::to_string(offset) + R"(","account":")" +
                 account + R"(","ts":)" + std::to_string(epoch_ms(ts)) + R"(,"post_id":"p)" +
                 std::to_string(offset - 1) + R"(","action":"reply","count":2})";
    else
      payload_ = R"({"type":"post","id":"e)" + std::to_string(offset) + R"(","account":")" +
                 account + R"(","ts":)" + std::to_string(epoch_ms(ts)) + R"(,"post_id":"p)" +
                 std::to_string(offset) + R"(","text":"t","category":"professional"})";
    e.process(message(p, offset));
  }
  void run(Engine& e, Partition p, std::int64_t from, std::int64_t to) {
    for (auto o = from; o < to; ++o)
      send(e, p, o, "acct-" + std::to_string(o % 5), t0_ + Millis{o * 60'000});
  }
  // Every account's figures in a store, as the API shows them.
  static std::string figures(storage::StateStore& store, Partition p) {
    std::string out;
    store.scan_buckets(p, TimePoint::min(),
                       [&](std::string_view account, TimePoint start, const BucketCounts& b) {
                         out += account;
                         out += '@';
                         out += std::to_string(epoch_ms(start));
                         out += ':';
                         pack(out, b);  // every figure, exactly
                         out += ' ';
                       });
    return out;
  }

  // The figures of messages [0, n) committed in one batch, by a member of a
  // group and changelog of its own.
  std::string reference(std::int64_t n) {
    changelog::MemoryLog log{4};
    Group group;
    Member ref(dir_ / ("reference-" + std::to_string(++references_)), *cfg_, *classifier_, clock_,
               log, group);
    ref.engine->partition_assigned(p_, group.offset(p_, 3));
    run(*ref.engine, p_, 0, n);
    EXPECT_TRUE(ref.engine->commit().ok());
    return figures(*ref.store, p_);
  }

  int references_ = 0;
  changelog::MemoryLog log_{4};
  Group group_;
  const Partition p_{65536 + 3};
};

}  // namespace kilter::pipeline

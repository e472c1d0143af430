// Alerts with a changelog: handed to the sinks once their batch is in the
// changelog and the group accepted its offsets, before the local write lands;
// a failover before that write owes them still, so they are delivered again
// (at least once), never lost.
#include "tests/pipeline/engine/changelog_fixture.h"

namespace kilter::pipeline {
namespace {

using Mode = storage::WriteFaults::Mode;

class ChangelogDeliveryTest : public ChangelogEngineTest {
 protected:
  // A post of `account` at `ts`, message `offset` of p_.
  void post(Engine& e, std::int64_t offset, const std::string& account, TimePoint ts) {
    payload_ = R"({"type":"post","id":"e)" + std::to_string(offset) + R"(","account":")" +
               account + R"(","ts":)" + std::to_string(epoch_ms(ts)) + R"(,"post_id":"p)" +
               std::to_string(offset) + R"(","text":"t","category":"professional"})";
    e.process(message(p_, offset));
  }
};

TEST_F(ChangelogDeliveryTest, AnAlertGoesOutWhenItsBatchIsAcceptedAndAFailoverBeforeTheWriteOwesIt) {
  auto faults = std::make_shared<storage::WriteFaults>();
  auto a = member("a", {}, false, faults);
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  // Two batches: the partition's first is written before it has a chain, the
  // second starts the chain with a snapshot.
  post(*a->engine, 0, "acme", t0_);
  ASSERT_TRUE(a->engine->commit().ok());
  post(*a->engine, 1, "acme", t0_ + std::chrono::hours(1));
  ASSERT_TRUE(a->engine->commit().ok());
  ASSERT_EQ(group_.committed[p_].first, Offset{2});
  ASSERT_TRUE(a->sink->records.empty());

  // acme falls silent: its gone-silent alert is raised by the next batch, whose
  // local write fails (the disk filled: a crash between the group commit and
  // the local write, as far as the store can tell).
  post(*a->engine, 2, "other", t0_ + std::chrono::hours(30));
  faults->set(Mode::no_space);
  ASSERT_TRUE(a->engine->commit_async().ok());
  a->engine->poll();  // the changelog answered: the group commit, then the write
  EXPECT_EQ(group_.committed[p_].first, Offset{3});
  EXPECT_EQ(a->outbox->stats().entries, 1u);  // handed to the outbox, whatever the write does
  EXPECT_FALSE(a->engine->commit().ok());  // the write failed: the engine stopped
  ASSERT_TRUE(a->engine->failure().has_value());
  EXPECT_EQ(a->store->meta(p_)->position, Offset{2});
  clock_.run_posted();
  ASSERT_EQ(a->sink->records.size(), 1u);
  EXPECT_NE(a->sink->records[0].find("gone-silent"), std::string::npos) << a->sink->records[0];
  const auto alert = a->sink->records[0];

  // The next owner restores the batch from the changelog, its outbox entry
  // still owed (the sink's confirmation never reached a commit): delivered
  // again, the same record.
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{3});
  clock_.run_posted();
  ASSERT_EQ(b->sink->records.size(), 1u);
  EXPECT_EQ(b->sink->records[0], alert);
}

// Without a failure the write follows, and the sink's confirmation goes with a
// later batch: a restart of the same member owes nothing, and a new owner
// delivers nothing again.
TEST_F(ChangelogDeliveryTest, AConfirmedAlertIsNotDeliveredAgainAfterAFailover) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  post(*a->engine, 0, "acme", t0_);
  ASSERT_TRUE(a->engine->commit().ok());
  post(*a->engine, 1, "acme", t0_ + std::chrono::hours(1));
  ASSERT_TRUE(a->engine->commit().ok());
  post(*a->engine, 2, "other", t0_ + std::chrono::hours(30));
  ASSERT_TRUE(a->engine->commit_async().ok());
  a->engine->poll();
  clock_.run_posted();
  ASSERT_EQ(a->sink->records.size(), 1u);
  post(*a->engine, 3, "other", t0_ + std::chrono::hours(30) + Millis{1});
  ASSERT_TRUE(a->engine->commit().ok());  // carries the confirmation
  EXPECT_EQ(group_.committed[p_].first, Offset{4});

  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{4});
  clock_.run_posted();
  EXPECT_TRUE(b->sink->records.empty());
}

}  // namespace
}  // namespace kilter::pipeline

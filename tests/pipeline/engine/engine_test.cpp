// The engine against a real RocksDB store in a temporary directory: commits in
// step with a checkpointer that may refuse, giving up a batch on revocation,
// and wall-clock evaluation of a quiet partition.
#include "pipeline/engine/account_view.h"
#include "pipeline/engine/stored_accounts.h"
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

TEST_F(EngineTest, PositionsAreOfferedBeforeTheStateIsWritten) {
  const Partition p{7};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  post(p, 1, "acme", t0_ + Millis{1000});
  ASSERT_TRUE(engine_->commit().ok());
  ASSERT_EQ(checkpointer_.accepted.size(), 1u);
  EXPECT_EQ(checkpointer_.accepted[0].partition, p);
  EXPECT_EQ(checkpointer_.accepted[0].next, Offset{2});
  EXPECT_EQ(store_->meta(p)->position, Offset{2});
  EXPECT_EQ(stored_posts(p, "acme"), 2u);
  // Nothing new: the same positions are not offered again.
  checkpointer_.offered.clear();
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_TRUE(checkpointer_.offered.empty());
}

TEST_F(EngineTest, ARefusedCheckpointKeepsTheBatchForTheNextCommit) {
  const Partition p{7};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  checkpointer_.refuse = true;
  ASSERT_TRUE(engine_->commit().ok());  // deferred, not failed
  EXPECT_FALSE(store_->meta(p).has_value());
  EXPECT_EQ(engine_->uncommitted(), 1u);
  EXPECT_EQ(engine_->stats().commits_deferred, 1u);
  EXPECT_FALSE(engine_->failure());
  post(p, 1, "acme", t0_ + Millis{1000});
  checkpointer_.refuse = false;
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(checkpointer_.accepted.back().next, Offset{2});
  EXPECT_EQ(store_->meta(p)->position, Offset{2});
  EXPECT_EQ(stored_posts(p, "acme"), 2u);
  EXPECT_EQ(engine_->uncommitted(), 0u);
}

// The checkpointer's error code says whether offering the same positions again
// can help: a retriable refusal (a broker away, a commit not answered yet) is
// offered again after a short backoff; a refusal that cannot pass by itself
// waits for the next commit point (a revocation gives the batch up meanwhile).
TEST_F(EngineTest, ARefusalIsOfferedAgainAfterABackoffOnlyWhenItIsRetriable) {
  const Partition p{7};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  checkpointer_.refuse = true;
  checkpointer_.code = Errc::unavailable;
  clock_.advance(cfg_->storage.commit_interval);  // the batch is due
  ASSERT_TRUE(engine_->commit_due());
  ASSERT_TRUE(engine_->commit_async().ok());
  EXPECT_EQ(engine_->stats().commits_deferred, 1u);
  EXPECT_FALSE(engine_->commit_due());
  clock_.advance(Committer::kRetryBackoff);
  EXPECT_TRUE(engine_->commit_due());

  checkpointer_.code = Errc::failed;
  ASSERT_TRUE(engine_->commit_async().ok());
  EXPECT_EQ(engine_->stats().commits_deferred, 2u);
  clock_.advance(Committer::kRetryBackoff);
  EXPECT_FALSE(engine_->commit_due());  // commit_interval (1s) is not over
  clock_.advance(cfg_->storage.commit_interval - Committer::kRetryBackoff);
  EXPECT_TRUE(engine_->commit_due());

  checkpointer_.refuse = false;
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(engine_->uncommitted(), 0u);
  EXPECT_EQ(store_->meta(p)->position, Offset{1});
  EXPECT_FALSE(engine_->failure());
}

TEST_F(EngineTest, RevocationGivesUpARefusedBatchAndTheStoreIsAsBefore) {
  const Partition p{7};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  ASSERT_TRUE(engine_->commit().ok());
  post(p, 1, "acme", t0_ + Millis{1000});
  post(p, 2, "acme", t0_ + Millis{2000});
  checkpointer_.refuse = true;
  const Partition revoked[] = {p};
  engine_->partitions_revoked(revoked);
  EXPECT_TRUE(engine_->open_partitions().empty());
  EXPECT_EQ(engine_->stats().messages_discarded, 2u);
  EXPECT_EQ(store_->meta(p)->position, Offset{1});  // what the source also agreed to
  EXPECT_EQ(stored_posts(p, "acme"), 1u);
  // Reassigned: the engine continues from the store, and the messages come again.
  checkpointer_.refuse = false;
  EXPECT_EQ(engine_->open_partition(p), Offset{1});
  post(p, 1, "acme", t0_ + Millis{1000});
  post(p, 2, "acme", t0_ + Millis{2000});
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(stored_posts(p, "acme"), 3u);
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::duplicate)], 0u);
}

TEST_F(EngineTest, RevocationCommitsWhenThePositionsAreAccepted) {
  const Partition p{7};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  const Partition revoked[] = {p};
  engine_->partitions_revoked(revoked);
  EXPECT_EQ(store_->meta(p)->position, Offset{1});
  EXPECT_EQ(engine_->stats().messages_discarded, 0u);
  EXPECT_TRUE(engine_->open_partitions().empty());
}

TEST_F(EngineTest, AQuietPartitionIsEvaluatedOnWallClockTime) {
  const Partition p{3};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  ASSERT_TRUE(engine_->commit().ok());
  // Before the window has emptied: still a post in the last day, no alert.
  engine_->advance_idle(p, t0_ + std::chrono::hours(20));
  EXPECT_TRUE(sink_->records.empty());
  // Two days later nothing has come: the account has gone silent.
  engine_->advance_idle(p, t0_ + std::chrono::hours(48) + std::chrono::minutes(5));
  ASSERT_EQ(sink_->records.size(), 1u);
  EXPECT_NE(sink_->records[0].find(R"("alert_id":"acme/posts/1d")"), std::string::npos);
  EXPECT_NE(sink_->records[0].find(R"("starts_at":"2025-11-22T08:00:00Z")"), std::string::npos)
      << sink_->records[0];
  EXPECT_EQ(engine_->stats().idle_evaluations, 2u);
  // The clock moved with the wall: an event older than it is now late.
  post(p, 1, "acme", t0_ + std::chrono::hours(30));
  EXPECT_EQ(engine_->stats().events[static_cast<std::size_t>(EventResult::late)], 1u);
  // And it was committed, so a restart evaluates from there.
  ASSERT_TRUE(engine_->commit().ok());
  open();
  engine_->open_partition(p);
  engine_->advance_idle(p, t0_ + std::chrono::hours(49));
  EXPECT_EQ(sink_->records.size(), 0u) << "the firing alert is not emitted again";
}

TEST_F(EngineTest, AnIdleTickBeforeTheFirstEventDoesNothing) {
  const Partition p{3};
  engine_->open_partition(p);
  engine_->advance_idle(p, t0_);
  EXPECT_EQ(engine_->stats().evaluations, 0u);
  EXPECT_FALSE(store_->meta(p).has_value());
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

// `kilterd inspect` reads the accounts from the store alone (no engine, no
// writer thread): the same accounts, windows end and figures as the engine that
// wrote them.
TEST_F(EngineTest, StoredAccountsShowWhatTheEngineCommitted) {
  const Partition p{3};
  engine_->open_partition(p);
  post(p, 0, "acme", t0_);
  post(p, 1, "zeta", t0_ + Millis{1000});
  post(p, 2, "acme", t0_ + std::chrono::hours(2));
  ASSERT_TRUE(engine_->commit().ok());
  std::vector<std::string> live;
  engine_->for_each_account([&](const AccountState& a, TimePoint at) {
    live.push_back(account_json(a, *cfg_, at, *store_));
  });
  engine_.reset();
  const StoredAccounts stored(cfg_, *store_);
  std::vector<std::string> read;
  stored.for_each_account([&](const AccountState& a, TimePoint at) {
    read.push_back(account_json(a, *cfg_, at, *store_));
  });
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read, live);
  EXPECT_EQ(stored.partitions(), std::vector<Partition>{p});
  TimePoint end;
  const auto* acme = stored.find_account(AccountRef{"acme"}, &end);
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->id.view(), "acme");
  EXPECT_EQ(end, t0_ + std::chrono::hours(3));
  EXPECT_EQ(stored.find_account(AccountRef{"nobody"}), nullptr);
}

}  // namespace
}  // namespace kilter::pipeline

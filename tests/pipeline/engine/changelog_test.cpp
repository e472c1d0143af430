// The engine with a changelog, two members over one in-memory changelog and one
// group: a partition's state follows it from member to member exactly, a restart
// restores nothing, records of refused commits are never restored, and a warming
// partition takes no message.
#include "pipeline/engine/account_view.h"
#include "tests/pipeline/engine/changelog_fixture.h"

namespace kilter::pipeline {
namespace {

TEST_F(ChangelogEngineTest, APartitionsStateFollowsItExactly) {
  auto a = member("a");
  ASSERT_FALSE(a->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  for (std::int64_t batch = 0; batch < 4; ++batch) {
    run(*a->engine, p_, batch * 50, batch * 50 + 50);
    ASSERT_TRUE(a->engine->commit().ok());
  }
  ASSERT_EQ(group_.committed[p_].first, Offset{200});
  EXPECT_EQ(group_.committed[p_].second.rfind("kilter1:", 0), 0u) << group_.committed[p_].second;

  auto b = member("b");
  auto assignment = b->engine->partition_assigned(p_, group_.offset(p_, 3));
  EXPECT_TRUE(assignment.warming);
  EXPECT_EQ(b->engine->warming(), std::vector<Partition>{p_});
  auto from = b->warmed();
  ASSERT_EQ(from, Offset{200});
  EXPECT_TRUE(b->engine->warming().empty());
  EXPECT_EQ(b->engine->stats().restores_full, 1u);
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
  EXPECT_EQ(b->store->meta(p_)->position, Offset{200});
  EXPECT_EQ(b->store->meta(p_)->max_event_time, a->store->meta(p_)->max_event_time);
  EXPECT_EQ(b->store->meta(p_)->last_evaluated, a->store->meta(p_)->last_evaluated);
  EXPECT_EQ(b->store->meta(p_)->next_outbox_seq, a->store->meta(p_)->next_outbox_seq);

  // B goes on where A stopped, and its chain follows on from A's.
  run(*b->engine, p_, 200, 260);
  ASSERT_TRUE(b->engine->commit().ok());
  run(*a->engine, p_, 200, 260);  // what A would have done (for comparison only)
  a->checkpointer.refuse = true;  // fenced: the group is B's now
  ASSERT_TRUE(a->engine->commit().ok());
  EXPECT_EQ(group_.committed[p_].first, Offset{260});
  auto c = member("c");
  ASSERT_TRUE(c->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(c->warmed(), Offset{260});
  EXPECT_EQ(figures(*c->store, p_), figures(*b->store, p_));
}

TEST_F(ChangelogEngineTest, ARestartOnItsOwnStateRestoresNothing) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 100);
  ASSERT_TRUE(a->engine->commit().ok());
  const auto before = figures(*a->store, p_);
  a.reset();
  auto again = member("a");
  auto assignment = again->engine->partition_assigned(p_, group_.offset(p_, 3));
  EXPECT_FALSE(assignment.warming);
  EXPECT_EQ(assignment.stored, Offset{100});
  EXPECT_EQ(figures(*again->store, p_), before);
}

TEST_F(ChangelogEngineTest, RecordsOfARefusedCommitAreNeverRestored) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 60);
  ASSERT_TRUE(a->engine->commit().ok());
  const auto accepted = figures(*a->store, p_);
  // A keeps going after it lost the partition (paused, cut off): its records
  // reach the changelog, its commits are refused.
  a->checkpointer.refuse = true;
  run(*a->engine, p_, 60, 120);
  ASSERT_TRUE(a->engine->commit().ok());
  EXPECT_GT(a->engine->stats().commits_deferred, 0u);
  EXPECT_EQ(group_.committed[p_].first, Offset{60});

  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{60});
  EXPECT_EQ(figures(*b->store, p_), accepted);
}

TEST_F(ChangelogEngineTest, AWarmingPartitionTakesNoMessage) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 30);
  ASSERT_TRUE(a->engine->commit().ok());
  log_.set_away(true);  // the restore waits for the changelog
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  // The source tells a partition without local state where it starts: not
  // one that warms (the restore writes its state).
  b->engine->partition_started(p_, Offset{30});
  run(*b->engine, p_, 30, 40);  // a fetch before the pause took effect
  b->engine->poll();
  EXPECT_EQ(b->engine->stats().events[0], 0u);
  EXPECT_TRUE(b->engine->open_partitions().empty());
  // The restore tries again while the changelog is away (a generous deadline:
  // it runs on its own thread).
  for (int i = 0; i < 10'000 && b->engine->restore_retries() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GT(b->engine->restore_retries(), 0u);
  EXPECT_FALSE(b->engine->warming().empty());
  log_.set_away(false);
  ASSERT_EQ(b->warmed(), Offset{30});
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
  // Its accounts are in memory, as after any open (the API, the evaluations).
  for (int i = 0; i < 5; ++i) {
    const auto id = "acct-" + std::to_string(i);
    EXPECT_NE(b->engine->find_account(AccountRef{id}), nullptr) << id;
  }
}

TEST_F(ChangelogEngineTest, SnapshotsBoundTheRestoreAndARevokedRestoreStops) {
  changelog::ChainPolicy small;
  small.snapshot_tail_bytes = 2'000;
  auto a = member("a", small);
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  for (std::int64_t batch = 0; batch < 10; ++batch) {
    run(*a->engine, p_, batch * 40, batch * 40 + 40);
    ASSERT_TRUE(a->engine->commit().ok());
  }
  EXPECT_GT(a->engine->stats().changelog_snapshots, 1u);
  // Retention takes what came before the chain's snapshot: the restore never
  // needs it.
  auto head = changelog::parse_commit_metadata(group_.committed[p_].second);
  ASSERT_TRUE(head);
  EXPECT_GT(head->base, 0);
  log_.truncate(3, head->base);
  const auto bounds = log_.bounds(3);
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{400});
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
  EXPECT_EQ(b->engine->stats().restores_full, 1u);
  EXPECT_LE(b->engine->restore_progress()->records_applied.load(),
            static_cast<std::uint64_t>(bounds.high - bounds.low));

  // Revoked while warming: nothing is handed back, and it can be assigned again.
  log_.set_away(true);
  auto c = member("c");
  ASSERT_TRUE(c->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  const Partition revoked[] = {p_};
  c->engine->partitions_revoked(revoked);
  EXPECT_TRUE(c->engine->warming().empty());
  log_.set_away(false);
  ASSERT_TRUE(c->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(c->warmed(), Offset{400});
  EXPECT_EQ(figures(*c->store, p_), figures(*a->store, p_));
}

TEST_F(ChangelogEngineTest, AStandbyTakesOverWithoutAFullRestore) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 100);
  ASSERT_TRUE(a->engine->commit().ok());
  auto b = member("b", {}, /*standby=*/true);
  ASSERT_TRUE(b->engine->standby());
  // B holds nothing and follows p: caught up to the group's head.
  std::vector<GroupPartition> all{
      {p_, "social.events", 3, group_.committed[p_].first, group_.committed[p_].second}};
  b->engine->follow(all);
  for (int i = 0; i < 10'000 && b->engine->stats().standby_updates == 0; ++i) {
    b->engine->poll();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(b->engine->stats().standby_updates, 1u);
  EXPECT_TRUE(b->engine->open_partitions().empty());  // followed, not held
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));

  // A goes on; then B takes p over: only what came since is restored.
  run(*a->engine, p_, 100, 130);
  ASSERT_TRUE(a->engine->commit().ok());
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{130});
  EXPECT_EQ(b->engine->stats().restores_partial, 1u);
  EXPECT_EQ(b->engine->stats().restores_full, 0u);
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

// A chain that cannot be rebuilt (retention took its snapshot): never a silent
// fresh state. Said, counted, and the partition goes on from what this store has,
// at the group's offset, with a chain of its own that later restores can follow.
TEST_F(ChangelogEngineTest, AChainThatCannotBeRebuiltIsCountedAndStartsAfresh) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 50);
  ASSERT_TRUE(a->engine->commit().ok());
  log_.truncate(3, log_.bounds(3).high);  // everything gone
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{50});
  EXPECT_EQ(b->engine->stats().restores_failed, 1u);
  EXPECT_EQ(b->store->meta(p_)->position, Offset{50});
  run(*b->engine, p_, 50, 80);
  ASSERT_TRUE(b->engine->commit().ok());
  EXPECT_GT(b->engine->stats().changelog_snapshots, 0u);
  auto c = member("c");
  ASSERT_TRUE(c->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(c->warmed(), Offset{80});
  EXPECT_EQ(c->engine->stats().restores_failed, 0u);
  EXPECT_EQ(figures(*c->store, p_), figures(*b->store, p_));
}

}  // namespace
}  // namespace kilter::pipeline

namespace kilter::pipeline {
namespace {

// A quiet partition's snapshot is rewritten once a day, so that a topic's time
// retention never takes the snapshot its chain needs.
TEST_F(ChangelogEngineTest, ASnapshotIsRewrittenOnceADay) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 10);
  ASSERT_TRUE(a->engine->commit().ok());
  const auto first = a->engine->stats().changelog_snapshots;
  EXPECT_EQ(first, 1u);
  run(*a->engine, p_, 10, 20);
  ASSERT_TRUE(a->engine->commit().ok());
  EXPECT_EQ(a->engine->stats().changelog_snapshots, first);
  clock_.advance(std::chrono::hours(24));
  run(*a->engine, p_, 20, 30);
  ASSERT_TRUE(a->engine->commit().ok());
  EXPECT_EQ(a->engine->stats().changelog_snapshots, first + 1);
  // And a restore reads from that snapshot on.
  log_.truncate(3, changelog::parse_commit_metadata(group_.committed[p_].second)->base);
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{30});
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
}

// commit_async with a changelog: the batch's records are sent and the engine
// goes on building the next batch; the group commit and the write come once
// the changelog has answered (Engine::poll).
TEST_F(ChangelogEngineTest, AnAsyncCommitGoesOnBuildingWhileTheChangelogAnswers) {
  auto a = member("a");
  a->engine->partition_assigned(p_, group_.offset(p_, 3));
  run(*a->engine, p_, 0, 60);
  log_.set_holding(true);
  ASSERT_TRUE(a->engine->commit_async().ok());
  run(*a->engine, p_, 60, 90);  // taken meanwhile, into the next batch
  a->engine->poll();
  EXPECT_FALSE(group_.committed.contains(p_));  // not before the changelog answered
  ASSERT_TRUE(a->engine->commit_async().ok());  // one batch in the changelog at a time
  EXPECT_FALSE(group_.committed.contains(p_));
  EXPECT_EQ(a->engine->uncommitted(), 90u);
  log_.set_holding(false);
  a->engine->poll();
  EXPECT_EQ(group_.committed[p_].first, Offset{60});  // the positions of the batch sent
  ASSERT_TRUE(a->engine->commit().ok());
  EXPECT_EQ(group_.committed[p_].first, Offset{90});
  EXPECT_EQ(a->store->meta(p_)->position, Offset{90});
  EXPECT_EQ(a->engine->uncommitted(), 0u);

  // A restore from the changelog gives the same state, and so do the same
  // events committed in one batch.
  auto b = member("b");
  ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
  ASSERT_EQ(b->warmed(), Offset{90});
  EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
  EXPECT_EQ(figures(*a->store, p_), reference(90));
}

// A sent batch whose group commit is refused, or whose records the changelog
// did not take, joins the batch built since: sent again whole, nothing lost or
// counted twice.
TEST_F(ChangelogEngineTest, AnAsyncCommitRefusedOrNotTakenIsSentAgainWhole) {
  for (const bool away : {false, true}) {
    SCOPED_TRACE(away ? "changelog away" : "group commit refused");
    const std::string name = away ? "away" : "refused";
    group_.committed.clear();
    auto a = member(name);
    a->engine->partition_assigned(p_, group_.offset(p_, 3));
    run(*a->engine, p_, 0, 60);
    log_.set_holding(true);
    ASSERT_TRUE(a->engine->commit_async().ok());
    run(*a->engine, p_, 60, 90);
    if (away) log_.set_away(true);
    a->checkpointer.refuse = !away;
    log_.set_holding(false);
    a->engine->poll();
    EXPECT_FALSE(group_.committed.contains(p_));
    EXPECT_GT(a->engine->stats().commits_deferred, 0u);
    EXPECT_EQ(a->engine->uncommitted(), 90u);
    EXPECT_FALSE(a->store->meta(p_) && a->store->meta(p_)->position == Offset{60});
    log_.set_away(false);
    a->checkpointer.refuse = false;
    run(*a->engine, p_, 90, 100);
    ASSERT_TRUE(a->engine->commit().ok());
    EXPECT_EQ(group_.committed[p_].first, Offset{100});
    EXPECT_EQ(a->engine->uncommitted(), 0u);

    auto b = member(name + "-b");
    ASSERT_TRUE(b->engine->partition_assigned(p_, group_.offset(p_, 3)).warming);
    ASSERT_EQ(b->warmed(), Offset{100});
    EXPECT_EQ(figures(*b->store, p_), figures(*a->store, p_));
    EXPECT_EQ(figures(*a->store, p_), reference(100));
  }
}

}  // namespace
}  // namespace kilter::pipeline

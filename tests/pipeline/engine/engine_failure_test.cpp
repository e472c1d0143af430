// The engine when the store refuses a commit (a full disk, an unwritable state
// directory; injected through storage::WriteFaults): the engine stops with the
// store's error, later commits fail the same way without touching the disk,
// and a restart resumes at the last written batch. A refusal by the
// checkpointer, which a retry can cure, is engine_test.cpp's.
#include "tests/pipeline/engine/engine_fixture.h"

namespace kilter::pipeline {
namespace {

using Mode = storage::WriteFaults::Mode;

class EngineFailureTest : public EngineTest, public ::testing::WithParamInterface<Mode> {};

TEST_P(EngineFailureTest, AFailedCommitStopsTheEngineAndARestartResumesAtTheLastWrittenBatch) {
  const Partition p{4};
  engine_->open_partition(p);
  for (int i = 0; i < 10; ++i) post(p, i, "acme", t0_ + Millis{i * 1000});
  ASSERT_TRUE(engine_->commit().ok());

  faults_->set(GetParam());
  for (int i = 10; i < 20; ++i) post(p, i, "acme", t0_ + Millis{i * 1000});
  auto r = engine_->commit();
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(engine_->failure().has_value());
  EXPECT_EQ(engine_->failure()->message, r.error().message);
  EXPECT_EQ(store_->failure()->message, r.error().message);
  if (GetParam() == Mode::no_space) {
    EXPECT_NE(r.error().message.find("disk is full"), std::string::npos) << r.error().message;
  }
  // Stopped: more messages and commits change nothing and never abort.
  post(p, 20, "acme", t0_ + Millis{20'000});
  EXPECT_FALSE(engine_->commit().ok());
  EXPECT_FALSE(engine_->finish().ok());
  EXPECT_EQ(store_->meta(p)->position, Offset{10});
  EXPECT_GE(store_->stats().write_failures, 1u);
  EXPECT_TRUE(store_->stats().failed);

  // Room again, and a restart: the state is the last written batch's.
  faults_->set(Mode::none);
  open();
  EXPECT_FALSE(store_->failure().has_value());
  EXPECT_EQ(engine_->open_partition(p), Offset{10});
  EXPECT_EQ(stored_posts(p, "acme"), 10u);
  for (int i = 10; i < 20; ++i) post(p, i, "acme", t0_ + Millis{i * 1000});
  ASSERT_TRUE(engine_->commit().ok());
  EXPECT_EQ(store_->meta(p)->position, Offset{20});
  EXPECT_EQ(stored_posts(p, "acme"), 20u);
}

TEST_P(EngineFailureTest, AFailedOutboxWriteLosesNoAlert) {
  const Partition p{4};
  engine_->open_partition(p);
  // An account that posts once, then falls silent: its gone-silent alert fires
  // a day later and is written with its batch.
  post(p, 0, "acme", t0_);
  post(p, 1, "other", t0_ + std::chrono::hours(30));
  ASSERT_TRUE(engine_->commit().ok());
  ASSERT_FALSE(sink_->records.empty());
  const auto delivered = sink_->records.size();
  // The sink confirmed; recording that fails (the disk filled meanwhile).
  faults_->set(GetParam());
  clock_.run_posted();
  EXPECT_GT(outbox_->stats().record_failures, 0u);
  // After a restart the entries are owed again: delivered again, not lost.
  faults_->set(Mode::none);
  sink_->records.clear();
  open();
  outbox_->restore_all();
  clock_.run_posted();
  EXPECT_EQ(sink_->records.size(), delivered);
}

INSTANTIATE_TEST_SUITE_P(Modes, EngineFailureTest,
                         ::testing::Values(Mode::no_space, Mode::io_error, Mode::read_only),
                         [](const auto& info) {
                           switch (info.param) {
                             case Mode::no_space:
                               return std::string("NoSpace");
                             case Mode::io_error:
                               return std::string("IoError");
                             default:
                               return std::string("ReadOnly");
                           }
                         });

}  // namespace
}  // namespace kilter::pipeline

// Failed writes (a full disk, an unwritable state directory), injected through
// the store's WriteFaults seam: a failed commit is an error value, never an
// abort, writes nothing of its batch, and a reopened store has every earlier
// commit.
#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "storage/state_store.h"
#include "storage/write_faults.h"

namespace kilter::storage {
namespace {

using Mode = WriteFaults::Mode;
const Partition kP{3};

class FaultsTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("kilter-faults-" + std::to_string((std::uint64_t{rd()} << 32) | rd()));
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Result<std::unique_ptr<StateStore>> open(std::shared_ptr<WriteFaults> faults = nullptr) {
    return open_rocks_store(
        RocksOptions{.path = dir_.string(), .memtable_bytes = 8 << 20, .faults = faults});
  }
  // One commit: the partition's position and an outbox entry of the same seq.
  static Result<void> commit_position(StateStore& s, std::int64_t position) {
    auto b = s.new_batch();
    PartitionMeta m;
    m.position = Offset{position};
    m.next_outbox_seq = static_cast<std::uint64_t>(position);
    b->put_meta(kP, m);
    const std::vector<std::string> sinks = {"file"};
    b->put_outbox(kP, static_cast<std::uint64_t>(position), "{\"alert\":1}", sinks);
    return s.commit(*b, false);
  }
  static std::size_t outbox_entries(StateStore& s) {
    std::size_t n = 0;
    s.scan_outbox(
        kP, [&](std::uint64_t, std::string_view, const std::vector<std::string>&, bool) { ++n; });
    return n;
  }

  std::filesystem::path dir_;
};

TEST_P(FaultsTest, FailedCommitIsAnErrorAndWritesNothingOfItsBatch) {
  auto faults = std::make_shared<WriteFaults>();
  {
    auto store = open(faults);
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(commit_position(**store, 10).ok());
    faults->set(GetParam());
    // The first failed write, then more: each an error (RocksDB's own log of
    // the failure once aborted the process here), none applied.
    for (int i = 1; i <= 3; ++i) {
      auto r = commit_position(**store, 10 + i);
      ASSERT_FALSE(r.ok());
      EXPECT_NE(r.error().message.find("rocksdb commit"), std::string::npos) << r.error().message;
    }
    EXPECT_GT(faults->refused(), 0u);
    // A sync of what was written fails too, without aborting.
    auto empty = (*store)->new_batch();
    EXPECT_FALSE((*store)->commit(*empty, true).ok());
    EXPECT_EQ((*store)->meta(kP)->position, Offset{10});
    // Fail-stop, and counted: the first error stays, every refusal counts.
    ASSERT_TRUE((*store)->failure().has_value());
    EXPECT_TRUE((*store)->stats().failed);
    EXPECT_GE((*store)->stats().write_failures, 4u);
    // RocksDB reported it as a background error too (printed once, counted).
    EXPECT_GE((*store)->stats().background_errors, 1u);
  }  // closing with the faults on does not abort either
  faults->set(Mode::none);
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->meta(kP)->position, Offset{10});
  EXPECT_EQ(outbox_entries(**store), 1u);
  EXPECT_FALSE((*store)->failure().has_value());
  EXPECT_EQ((*store)->stats().write_failures, 0u);
  ASSERT_TRUE(commit_position(**store, 11).ok());
  EXPECT_EQ((*store)->meta(kP)->position, Offset{11});
}

TEST_P(FaultsTest, OpeningAnUnwritableStoreIsAnError) {
  {
    auto store = open();
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(commit_position(**store, 5).ok());
  }
  auto faults = std::make_shared<WriteFaults>();
  faults->set(GetParam());
  auto refused = open(faults);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("rocksdb open"), std::string::npos)
      << refused.error().message;
  // Nothing was lost: once writable, the store opens with its state.
  auto store = open();
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ((*store)->meta(kP)->position, Offset{5});
}

// The code a failed write carries says what a caller can do: none of these
// is worth retrying (the store is fail-stop), a full disk says so.
Errc expected_code(Mode m) {
  return m == Mode::no_space ? Errc::no_space : Errc::io;
}

TEST_P(FaultsTest, AFailedWriteSaysWhatFailedInItsCode) {
  auto faults = std::make_shared<WriteFaults>();
  auto store = open(faults);
  ASSERT_TRUE(store.ok()) << store.error().message;
  faults->set(GetParam());
  auto first = commit_position(**store, 1);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, expected_code(GetParam()))
      << to_string(first.error().code) << ": " << first.error().message;
  EXPECT_FALSE(first.error().retriable());
  // Every later refusal carries the first failure's code.
  auto again = commit_position(**store, 2);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, expected_code(GetParam()));
  EXPECT_FALSE(again.error().retriable());
  ASSERT_TRUE((*store)->failure().has_value());
  EXPECT_EQ((*store)->failure()->code, expected_code(GetParam()));
  faults->set(Mode::none);
}

TEST_P(FaultsTest, OpeningAnUnwritableStoreSaysWhyInItsCode) {
  auto faults = std::make_shared<WriteFaults>();
  faults->set(GetParam());
  auto refused = open(faults);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, expected_code(GetParam()))
      << to_string(refused.error().code) << ": " << refused.error().message;
  EXPECT_FALSE(refused.error().retriable());
}

INSTANTIATE_TEST_SUITE_P(Modes, FaultsTest,
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
}  // namespace kilter::storage

// rocksdb::Status becomes an Errc in one place (storage/rocks_util.h), and the
// fail-stop gate latches only failures that a retry cannot mend.
#include <gtest/gtest.h>

#include "storage/rocks_util.h"

namespace kilter::storage {
namespace {

TEST(StatusCodes, EachRocksdbStatusHasTheCodeOfWhatACallerCanDo) {
  using rocksdb::Status;
  EXPECT_EQ(errc_of(Status::NoSpace("write", "No space left on device")), Errc::no_space);
  EXPECT_EQ(errc_of(Status::IOError("While appending", "No space left on device")), Errc::no_space);
  EXPECT_EQ(errc_of(Status::IOError("While appending", "Input/output error")), Errc::io);
  EXPECT_EQ(errc_of(Status::IOError("While open", "Read-only file system")), Errc::io);
  EXPECT_EQ(errc_of(Status::Corruption("bad block")), Errc::corruption);
  EXPECT_EQ(errc_of(Status::Busy()), Errc::unavailable);
  EXPECT_EQ(errc_of(Status::TryAgain()), Errc::unavailable);
  EXPECT_EQ(errc_of(Status::TimedOut()), Errc::unavailable);
  EXPECT_EQ(errc_of(Status::Incomplete()), Errc::unavailable);
  EXPECT_EQ(errc_of(Status::InvalidArgument("x")), Errc::failed);
  EXPECT_EQ(errc_of(Status::NotSupported("x")), Errc::failed);
}

TEST(StatusCodes, ErrorsNameWhatFailedAndWhatItMeans) {
  auto full = error_of("rocksdb commit", rocksdb::Status::NoSpace("No space left on device"));
  EXPECT_EQ(full.code, Errc::no_space);
  EXPECT_FALSE(full.retriable());
  EXPECT_EQ(full.message.rfind("rocksdb commit: ", 0), 0u) << full.message;
  EXPECT_NE(full.message.find("(the state directory's disk is full)"), std::string::npos);
  auto ro = error_of("rocksdb open /s", rocksdb::Status::IOError("Read-only file system"));
  EXPECT_EQ(ro.code, Errc::io);
  EXPECT_NE(ro.message.find("(the state directory is not writable)"), std::string::npos);
}

TEST(StatusCodes, TheGateStopsWritesOnlyForFailuresARetryCannotMend) {
  WriteGate gate;
  // Turned away before the WAL saw it: returned as is, counted, nothing stops.
  auto busy = gate.failed("rocksdb commit", rocksdb::Status::Busy());
  EXPECT_TRUE(busy.retriable());
  EXPECT_FALSE(gate.failure().has_value());
  EXPECT_FALSE(gate.refused().has_value());
  EXPECT_EQ(gate.failures(), 1u);
  // A full disk stops every later write with that first error.
  auto full = gate.failed("rocksdb commit", rocksdb::Status::NoSpace());
  EXPECT_EQ(full.code, Errc::no_space);
  auto io = gate.failed("rocksdb sync", rocksdb::Status::IOError("Input/output error"));
  EXPECT_EQ(io.code, Errc::no_space);  // the first failure stays
  auto refused = gate.refused();
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, Errc::no_space);
  EXPECT_FALSE(refused->retriable());
  EXPECT_EQ(gate.failures(), 4u);
}

}  // namespace
}  // namespace kilter::storage

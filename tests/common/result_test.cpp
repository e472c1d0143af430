#include "common/result.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/clock.h"

namespace kilter {
namespace {

TEST(Errc, OnlyWhatMaySucceedLaterIsRetriable) {
  EXPECT_FALSE(Error{"x"}.retriable());  // failed by default
  EXPECT_TRUE((Error{"x", Errc::unavailable}.retriable()));
  EXPECT_TRUE((Error{"x", Errc::busy}.retriable()));
  for (auto c : {Errc::failed, Errc::no_space, Errc::io, Errc::corruption})
    EXPECT_FALSE(retriable(c)) << to_string(c);
}

TEST(Errc, ASystemCallsErrnoHasTheCodeOfWhatACallerCanDo) {
  EXPECT_EQ(errc_from_errno(ENOSPC), Errc::no_space);
  EXPECT_EQ(errc_from_errno(EDQUOT), Errc::no_space);
  EXPECT_EQ(errc_from_errno(EIO), Errc::io);
  EXPECT_EQ(errc_from_errno(EROFS), Errc::io);
  EXPECT_EQ(errc_from_errno(EAGAIN), Errc::unavailable);
  EXPECT_EQ(errc_from_errno(EINTR), Errc::unavailable);
  EXPECT_EQ(errc_from_errno(ENOENT), Errc::failed);
  EXPECT_EQ(errc_from_errno(EACCES), Errc::failed);
}

TEST(SimulatedClock, MovesOnlyWhenToldAndKeepsBothTimesInStep) {
  SimulatedClock c{from_epoch_ms(1'000)};
  const auto steady = c.steady_now();
  c.advance(Millis{250});
  EXPECT_EQ(c.now(), from_epoch_ms(1'250));
  EXPECT_EQ(c.steady_now() - steady, Millis{250});
  c.set(from_epoch_ms(5'000));
  EXPECT_EQ(c.now(), from_epoch_ms(5'000));
}

}  // namespace
}  // namespace kilter

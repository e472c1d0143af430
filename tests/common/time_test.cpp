#include "common/time.h"

#include <gtest/gtest.h>

namespace kilter {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

std::int64_t ms_of(std::string_view s) {
  auto t = parse_rfc3339(s);
  EXPECT_TRUE(t.has_value()) << s;
  return t ? epoch_ms(*t) : 0;
}

TEST(ParseRfc3339, ValidForms) {
  EXPECT_EQ(ms_of("1970-01-01T00:00:00Z"), 0);
  const std::int64_t base = 1'795'166'100'000;  // 2026-11-20T09:15:00Z
  EXPECT_EQ(ms_of("2026-11-20T09:15:00Z"), base);
  EXPECT_EQ(ms_of("2026-11-20t09:15:00z"), base);
  EXPECT_EQ(ms_of("2026-11-20 09:15:00Z"), base);
  EXPECT_EQ(ms_of("2026-11-20T10:15:00+01:00"), base);
  EXPECT_EQ(ms_of("2026-11-20T03:45:00-05:30"), base);
  EXPECT_EQ(ms_of("2026-11-20T09:15:00+00:00"), base);
  EXPECT_EQ(ms_of("2026-11-20T09:15:00-00:00"), base);
  EXPECT_EQ(ms_of("2026-11-21T00:15:00+15:00"), base);
  EXPECT_EQ(ms_of("2026-11-20T09:15:00.5Z"), base + 500);
  EXPECT_EQ(ms_of("2026-11-20T09:15:00.123Z"), base + 123);
  EXPECT_EQ(ms_of("2026-11-20T09:15:00.123999999Z"), base + 123);  // truncated to ms
  EXPECT_EQ(ms_of("2026-11-20T10:15:00.250+01:00"), base + 250);
  EXPECT_EQ(ms_of("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(ms_of("2024-02-29T00:00:00Z"), ms_of("2024-03-01T00:00:00Z") - 86'400'000);
  EXPECT_EQ(ms_of("2000-02-29T00:00:00Z"), 951'782'400'000);
  // A leap second is folded onto the second before it.
  EXPECT_EQ(ms_of("2016-12-31T23:59:60Z"), ms_of("2016-12-31T23:59:59Z"));
}

TEST(ParseRfc3339, Invalid) {
  for (std::string_view s : {
           "",
           "2026-13-01T00:00:00Z",        // month 13
           "2026-00-10T00:00:00Z",        // month 0
           "2026-02-30T00:00:00Z",        // Feb 30
           "2025-02-29T00:00:00Z",        // not a leap year
           "1900-02-29T00:00:00Z",        // century, not a leap year
           "2026-04-31T00:00:00Z",        // April has 30 days
           "2026-11-00T00:00:00Z",        // day 0
           "2026-11-20T24:00:00Z",        // hour 24
           "2026-11-20T09:60:00Z",        // minute 60
           "2026-11-20T09:15:61Z",        // second 61
           "2026-11-20T09:15:00",         // missing zone
           "2026-11-20T09:15:00.123",     // missing zone after a fraction
           "2026-11-20",                  // date only
           "2026-11-20T09:15Z",           // no seconds
           "2026-11-20T09:15:00+01",      // offset without minutes
           "2026-11-20T09:15:00+0100",    // offset without colon
           "2026-11-20T09:15:00+1:00",    // one-digit hour
           "2026-11-20T09:15:00+24:00",   // offset hour out of range
           "2026-11-20T09:15:00+01:60",   // offset minute out of range
           "2026-11-20T09:15:00 +01:00",  // space before the offset
           "2026-11-20T09:15:00.Z",       // fraction without digits
           "2026-11-20T09:15:00ZZ",       // trailing content
           "2026-11-20T09:15:00Z ",       // trailing space
           " 2026-11-20T09:15:00Z",       // leading space
           "2026/11/20T09:15:00Z",        // wrong date separator
           "2026-11-20X09:15:00Z",        // wrong date/time separator
           "20261-11-20T09:15:00Z",       // five-digit year
           "2026-1a-20T09:15:00Z",        // not a digit
       }) {
    EXPECT_FALSE(parse_rfc3339(s).has_value()) << s;
  }
}

TEST(FormatRfc3339, RoundTripWithAndWithoutMillis) {
  for (std::string_view s :
       {"2026-11-20T09:15:00Z", "2026-11-20T09:15:00.250Z", "2026-11-20T09:15:00.001Z",
        "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "1900-01-01T00:00:00Z",
        "2024-02-29T23:59:59Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z"}) {
    auto t = parse_rfc3339(s);
    ASSERT_TRUE(t.has_value()) << s;
    EXPECT_EQ(format_rfc3339(*t), s);
  }
  // Other offsets come back in UTC; milliseconds only when non-zero.
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-20T10:15:00.500+01:00")),
            "2026-11-20T09:15:00.500Z");
  EXPECT_EQ(format_rfc3339(*parse_rfc3339("2026-11-20T10:15:00.000+01:00")),
            "2026-11-20T09:15:00Z");
  EXPECT_EQ(format_rfc3339(from_epoch_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(from_epoch_ms(-86'400'000)), "1969-12-31T00:00:00Z");
}

TEST(ParseDuration, Units) {
  EXPECT_EQ(parse_duration("250ms"), Millis{250});
  EXPECT_EQ(parse_duration("30s"), Millis{30'000});
  EXPECT_EQ(parse_duration("5m"), Millis{minutes{5}});
  EXPECT_EQ(parse_duration("1h"), Millis{hours{1}});
  EXPECT_EQ(parse_duration("7d"), Millis{hours{7 * 24}});
  EXPECT_EQ(parse_duration("2w"), Millis{hours{14 * 24}});
  EXPECT_EQ(parse_duration("36h"), Millis{hours{36}});
  EXPECT_EQ(parse_duration("0"), Millis{0});
  EXPECT_EQ(parse_duration("0s"), Millis{0});
}

TEST(ParseDuration, Invalid) {
  for (std::string_view s : {"", "5", "s", "-5s", "-0s", "+5s", "5x", "5 s", " 5s", "5s ", "1h30m",
                             "5.5s", "5S", "0x10s", "9999999999999999999d", "100000000000000w"}) {
    EXPECT_FALSE(parse_duration(s).has_value()) << s;
  }
}

TEST(FormatDuration, ShortestExactSpelling) {
  EXPECT_EQ(format_duration(Millis{0}), "0");
  EXPECT_EQ(format_duration(Millis{1500}), "1500ms");
  EXPECT_EQ(format_duration(Millis{30'000}), "30s");
  EXPECT_EQ(format_duration(Millis{minutes{90}}), "90m");
  EXPECT_EQ(format_duration(Millis{hours{36}}), "36h");
  EXPECT_EQ(format_duration(Millis{hours{24 * 7}}), "7d");
  EXPECT_EQ(format_duration(Millis{hours{24 * 14}}), "14d");
  for (std::string_view s : {"250ms", "30s", "5m", "1h", "7d", "36h", "90m", "1500ms", "61s"}) {
    auto d = parse_duration(s);
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(format_duration(*d), s);
  }
  EXPECT_EQ(parse_duration(format_duration(Millis{hours{24 * 14}})), Millis{hours{24 * 14}});
}

TEST(BucketStart, FloorsAlsoBeforeTheEpoch) {
  const Millis h{hours{1}};
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(0), h)), 0);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(1), h)), 0);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(3'599'999), h)), 0);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(3'600'000), h)), 3'600'000);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(-1), h)), -3'600'000);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(-3'599'999), h)), -3'600'000);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(-3'600'000), h)), -3'600'000);
  EXPECT_EQ(epoch_ms(bucket_start(from_epoch_ms(-3'600'001), h)), -7'200'000);
  const Millis d{hours{24}};
  auto t = *parse_rfc3339("1969-07-20T20:17:40Z");
  EXPECT_EQ(format_rfc3339(bucket_start(t, d)), "1969-07-20T00:00:00Z");
  auto u = *parse_rfc3339("2026-11-20T09:15:00.250Z");
  EXPECT_EQ(format_rfc3339(bucket_start(u, h)), "2026-11-20T09:00:00Z");
  EXPECT_EQ(format_rfc3339(bucket_start(u, Millis{minutes{10}})), "2026-11-20T09:10:00Z");
}

}  // namespace
}  // namespace kilter

namespace kilter {
namespace {

// The UTC day of an instant, whatever offset it was written with.
TEST(FormatDay, UtcDayOfTheInstant) {
  EXPECT_EQ(format_day(*parse_rfc3339("2026-11-24T23:59:00Z")), "Tue 24 Nov");
  EXPECT_EQ(format_day(*parse_rfc3339("2026-11-24T23:30:00-01:00")), "Wed 25 Nov");
  EXPECT_EQ(format_day(*parse_rfc3339("1969-12-31T23:59:59Z")), "Wed 31 Dec");
}

}  // namespace
}  // namespace kilter

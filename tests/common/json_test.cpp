// common/json.h's string writer: RFC 8259 escaping, and invalid UTF-8 written as
// U+FFFD so that every string we write is valid JSON (found by the digest_render
// fuzz target: a record string with a stray byte made a line no reader accepts).
#include "common/json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <limits>

namespace kilter::json {
namespace {

constexpr std::string_view kFffd = "\xEF\xBF\xBD";  // U+FFFD

// The parts, quoted (fmt: GCC 12 flags "x" + std::string with a false -Wrestrict).
template <class... Parts>
std::string q(const Parts&... parts) {
  return fmt::format("\"{}\"", fmt::join(std::initializer_list<std::string_view>{parts...}, ""));
}

TEST(JsonString, EscapesWhatRfc8259Requires) {
  EXPECT_EQ(quote("a\"b\\c\n\r\t\b\f\x01\x1f"), R"("a\"b\\c\n\r\t\b\f\u0001\u001f")");
  EXPECT_EQ(quote(std::string_view("\0x", 2)), R"("\u0000x")");
}

TEST(JsonString, ValidUtf8IsKeptAsItIs) {
  for (std::string_view s : {"é", "€", "日本", "😀", "\U0010FFFF", "\u2028", "\u00a0", "a\u0301"})
    EXPECT_EQ(quote(s), q(s)) << s;
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(quote("\xff"), q(kFffd));
  EXPECT_EQ(quote("a\x80z"), q("a", kFffd, "z"));                       // a lone continuation byte
  EXPECT_EQ(quote("\xc3"), q(kFffd));                                   // cut at the end
  EXPECT_EQ(quote("\xe2\x82z"), q(kFffd, kFffd, "z"));                  // cut before an ASCII byte
  EXPECT_EQ(quote("\xc0\xaf"), q(kFffd, kFffd));                        // overlong '/'
  EXPECT_EQ(quote("\xe0\x80\xaf"), q(kFffd, kFffd, kFffd));             // overlong, 3 bytes
  EXPECT_EQ(quote("\xed\xa0\x80"), q(kFffd, kFffd, kFffd));             // a UTF-16 surrogate
  EXPECT_EQ(quote("\xf4\x90\x80\x80"), q(kFffd, kFffd, kFffd, kFffd));  // past U+10FFFF
  EXPECT_EQ(quote("\xf5"), q(kFffd));
  EXPECT_EQ(quote("é\xffé"), q("é", kFffd, "é"));
}

TEST(JsonString, WritingWhatWasWrittenIsStable) {
  // The bytes between the quotes hold no invalid UTF-8 any more, so a reader's
  // string written again is the same.
  const std::string once = quote("\xff\xc3(\xe2\x82\xac\xf0\x9f\x98");
  const std::string inner = once.substr(1, once.size() - 2);
  EXPECT_EQ(quote(inner), once);
}

TEST(JsonNumber, ShortestFormNullForNonFiniteAndNoNegativeZero) {
  const auto number = [](double v) {
    std::string out;
    append_number(out, v);
    return out;
  };
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(1e300), "1e+300");
  EXPECT_EQ(number(-2.5), "-2.5");
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "null");
  // A reader that takes "-0" for the integer 0 would not give the same line back
  // (the digest_render fuzz target: an advice's limit of -0.0).
  EXPECT_EQ(number(-0.0), "0");
  EXPECT_EQ(number(0.0), "0");
}

}  // namespace
}  // namespace kilter::json

// read_string_fields: the extra fields (an evaluation label, a --by field) of a line.
#include "pipeline/ingest/fields.h"

#include <gtest/gtest.h>

#include <array>

namespace kilter::pipeline {
namespace {

TEST(ReadStringFields, TopLevelStringsOnly) {
  const std::array<std::string_view, 4> names = {"expected", "lang", "n", "absent"};
  std::array<std::optional<std::string>, 4> values;
  ASSERT_TRUE(read_string_fields(
      R"({"nested":{"expected":"no"},"expected":"pers\u006fnal","lang":"fr","n":3})", names,
      values));
  EXPECT_EQ(values[0], "personal");
  EXPECT_EQ(values[1], "fr");
  EXPECT_EQ(values[2], std::nullopt);  // not a string
  EXPECT_EQ(values[3], std::nullopt);
}

TEST(ReadStringFields, SameNameTwiceAndNotAnObject) {
  const std::array<std::string_view, 2> names = {"kind", "kind"};
  std::array<std::optional<std::string>, 2> values;
  ASSERT_TRUE(read_string_fields(R"({"kind":"reply"})", names, values));
  EXPECT_EQ(values[0], "reply");
  EXPECT_EQ(values[1], "reply");
  EXPECT_FALSE(read_string_fields("[1,2]", names, values));
  EXPECT_EQ(values[0], std::nullopt);
}

}  // namespace
}  // namespace kilter::pipeline

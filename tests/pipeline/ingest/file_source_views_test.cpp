// The file source's views: the messages of one poll stay valid until the next
// poll, also when an oversized line in that poll has to be skipped past the end
// of what is buffered (found by tests/fuzz/file_source_fuzz.cpp).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "pipeline/ingest/file_source.h"

namespace kilter::pipeline {
namespace {

class FileSourceViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("kilter-views-" + std::to_string(rd()));
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::filesystem::path path_;
};

TEST_F(FileSourceViewsTest, LinesBeforeAnOversizedLineSurviveItsSkipping) {
  // Two short lines, then a line longer than the source's 4 MiB read chunk: the
  // rest of it is read (and dropped) in the same poll that hands out the short ones.
  const std::string a = R"({"type":"followers","id":"e-1","account":"acme","ts":1,"followers":1})";
  const std::string b = R"({"type":"followers","id":"e-2","account":"acme","ts":2,"followers":2})";
  {
    std::ofstream out(path_, std::ios::binary);
    out << a << '\n' << b << '\n' << std::string(5 << 20, 'x') << "\nlast\n";
  }
  auto src = open_file_source(path_.string(), 1024);
  ASSERT_TRUE(src.ok()) << src.error().message;
  ASSERT_TRUE((*src)->seek(Partition{0}, Offset{0}).ok());
  std::vector<SourceMessage> out;
  std::vector<std::string> payloads;
  for (int polls = 0; polls < 100; ++polls) {
    out.clear();
    auto r = (*src)->poll(out, 100);
    ASSERT_TRUE(r.ok());
    for (const auto& m : out) payloads.emplace_back(m.payload);  // read before the next poll
    if (*r == PollStatus::end) break;
  }
  ASSERT_EQ(payloads.size(), 4u);
  EXPECT_EQ(payloads[0], a);
  EXPECT_EQ(payloads[1], b);
  EXPECT_EQ(payloads[2], std::string(1025, 'x'));  // truncated: rejected as oversized
  EXPECT_EQ(payloads[3], "last");
}

}  // namespace
}  // namespace kilter::pipeline

#include "pipeline/ingest/file_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/ingest/decoder.h"

namespace kilter::pipeline {
namespace {

// A good event padded (with an unknown field) to exactly `size` bytes.
std::string good_line(int i, std::size_t size) {
  std::string head = R"({"type":"followers","id":"e-)" + std::to_string(i) +
                     R"(","account":"a","ts":1000,"followers":1,"pad":")";
  if (size < head.size() + 2) size = head.size() + 2;
  return head + std::string(size - head.size() - 2, 'x') + "\"}";
}

struct Tally {
  std::vector<std::string> ok;  // ids of the good events, in order
  std::size_t bad = 0;
  std::int64_t end = 0;  // the position after the last message
};

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("kilter-file-source-" + std::to_string(::getpid()) + ".ndjson");
  }
  void TearDown() override { std::filesystem::remove(path_); }

  void write(const std::string& text) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << text;
  }

  // Reads the whole file the way the engine does: each batch is decoded
  // before the next poll.
  Tally replay(std::size_t max_line, std::size_t chunk, std::size_t batch) {
    Tally t;
    auto src = open_file_source(path_.string(), max_line, chunk);
    EXPECT_TRUE(src) << (src ? "" : src.error().message);
    if (!src) return t;
    Decoder dec(max_line);
    Event ev;
    std::vector<SourceMessage> msgs;
    for (int guard = 0; guard < 1'000'000; ++guard) {
      msgs.clear();
      auto st = (*src)->poll(msgs, batch);
      EXPECT_TRUE(st);
      if (!st) return t;
      for (const auto& m : msgs) {
        EXPECT_EQ(m.offset.value(), t.end) << "positions are contiguous";
        t.end = m.next.value();
        auto r = dec.decode(m.payload, m.capacity, ev);
        if (r.ok)
          t.ok.emplace_back(ev.id);
        else
          ++t.bad;
      }
      if (*st == PollStatus::end) break;
    }
    return t;
  }

  std::filesystem::path path_;
};

// Good events around oversized lines, with every buffer alignment of a small
// buffer: every good event is read and each oversized line is one bad event.
TEST_F(FileSourceTest, OversizedLinesLoseNoGoodEventsWhateverTheAlignment) {
  constexpr std::size_t kMaxLine = 200;
  for (std::size_t shift = 0; shift < 40; ++shift) {
    for (const char* eol : {"\n", "\r\n"}) {
      std::string text;
      std::vector<std::string> want;
      std::size_t oversized = 0;
      int id = 0;
      auto add_good = [&](std::size_t size) {
        text += good_line(id, size) + eol;
        want.push_back("e-" + std::to_string(id++));
      };
      add_good(60 + shift);
      for (int round = 0; round < 6; ++round) {
        for (int k = 0; k < 5; ++k) add_good(60 + (k * 37 + shift * 13) % 140);
        add_good(kMaxLine);                                          // exactly at the limit: good
        text += std::string(kMaxLine + 1 + round * 333, 'y') + eol;  // limit + 1 and more
        ++oversized;
      }
      text += std::string(kMaxLine * 3, 'z');  // oversized last line, no newline
      ++oversized;
      write(text);
      for (std::size_t batch : {1u, 3u, 1000u}) {
        auto t = replay(kMaxLine, 512, batch);
        EXPECT_EQ(t.ok, want) << "shift " << shift << " batch " << batch;
        EXPECT_EQ(t.bad, oversized) << "shift " << shift << " batch " << batch;
        EXPECT_EQ(t.end, static_cast<std::int64_t>(text.size()));
      }
    }
  }
}

TEST_F(FileSourceTest, LineAtTheLimitWithCrlfIsGood) {
  constexpr std::size_t kMaxLine = 200;
  // A CRLF line whose payload is exactly at the limit: the CR is not part of it,
  // even when the buffer ends right after the CR.
  for (std::size_t lead = 0; lead < 300; lead += 7) {
    std::string text = good_line(0, 60 + lead % 140) + "\r\n" + good_line(1, kMaxLine) + "\r\n" +
                       good_line(2, kMaxLine) + "\r\n";
    write(text);
    auto t = replay(kMaxLine, 512, 1000);
    EXPECT_EQ(t.ok, (std::vector<std::string>{"e-0", "e-1", "e-2"})) << "lead " << lead;
    EXPECT_EQ(t.bad, 0u);
  }
}

// The replay of the issue: a large file with one oversized line straddling the
// default 4 MiB buffer.
TEST_F(FileSourceTest, OneOversizedLineAcrossTheDefaultBuffer) {
  constexpr std::size_t kMaxLine = 64 * 1024;
  for (std::size_t before_end : {1000u, 70'000u}) {
    std::string text;
    std::vector<std::string> want;
    int id = 0;
    while (text.size() < (4u << 20) - before_end) {
      text += good_line(id, 100) + "\n";
      want.push_back("e-" + std::to_string(id++));
    }
    text += std::string(kMaxLine + 5000, 'y') + "\n";
    while (text.size() < (6u << 20)) {
      text += good_line(id, 100) + "\n";
      want.push_back("e-" + std::to_string(id++));
    }
    write(text);
    auto t = replay(kMaxLine, 0, 4096);  // the daemon's slice
    EXPECT_EQ(t.ok.size(), want.size()) << before_end;
    EXPECT_TRUE(t.ok == want) << before_end;
    EXPECT_EQ(t.bad, 1u) << before_end;
  }
}

// A source's errors carry the code of what failed: a device that fails a read
// is io (fail-stop, like the store), a file that is not there is failed;
// neither is worth retrying.
TEST(FileSourceErrors, AFailedReadSaysWhatFailedInItsCode) {
  // Reading /proc/self/mem at offset 0 (never mapped) fails with EIO.
  auto src = open_file_source("/proc/self/mem", 1024);
  ASSERT_TRUE(src) << src.error().message;
  std::vector<SourceMessage> out;
  auto r = (*src)->poll(out, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::io) << r.error().message;
  EXPECT_FALSE(r.error().retriable());
  EXPECT_NE(r.error().message.find("read /proc/self/mem"), std::string::npos) << r.error().message;

  auto missing = open_file_source("/nonexistent/kilter/events.ndjson", 1024);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Errc::failed);
  EXPECT_NE(missing.error().message.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace kilter::pipeline

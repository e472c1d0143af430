#include "pipeline/file_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace kilter::pipeline {
namespace {

constexpr std::size_t kChunk = 4 << 20;
constexpr std::size_t kSlack = 64;  // >= simdjson padding, so lines decode in place

class FileSource final : public Source {
 public:
  FileSource(std::string path, int fd, std::size_t max_line)
      : path_(std::move(path)), fd_(fd), max_line_(max_line) {
    buf_.resize(std::max(kChunk, 2 * (max_line_ + 2)) + kSlack);
    struct stat st {};
    stream_ = ::fstat(fd_, &st) == 0 && !S_ISREG(st.st_mode);
  }
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }

  std::vector<Partition> partitions() const override { return {Partition{0}}; }

  Result<void> seek(Partition p, Offset o) override {
    if (p != Partition{0}) return Error{fmt::format("file source has no partition {}", p.value())};
    begin_ = end_ = 0;
    base_ = o.value();
    if (::lseek(fd_, o.value(), SEEK_SET) == o.value()) return ok();
    if (errno != ESPIPE) return Error{fmt::format("seek {}: {}", path_, std::strerror(errno))};
    // A pipe cannot seek: the same input replayed on stdin is skipped up to the offset.
    for (std::int64_t left = o.value(); left > 0;) {
      auto n = ::read(fd_, buf_.data(), std::min<std::int64_t>(left, buf_.size() - kSlack));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        return Error{fmt::format("{} ends before the stored offset {}", path_, o.value())};
      left -= n;
    }
    return ok();
  }

  Result<PollStatus> poll(std::vector<SourceMessage>& out, std::size_t max) override {
    std::size_t produced = 0;
    while (produced < max) {
      if (skipping_) {
        if (!skip_rest_of_line()) {
          if (eof_) break;
          // Refilling reuses the buffer that the views already handed out point into.
          if (produced > 0) break;
          if (auto r = fill(); !r) return r.error();
          if (waiting_) break;
          continue;
        }
      }
      char* start = buf_.data() + begin_;
      auto avail = end_ - begin_;
      auto* nl = static_cast<char*>(std::memchr(start, '\n', avail));
      if (nl == nullptr) {
        if (avail > max_line_) {
          // Too long: hand out a truncated view (rejected as oversized) and skip the rest.
          emit(out, max_line_ + 1, max_line_ + 1);
          skipping_ = true;
          ++produced;
          continue;
        }
        if (eof_) {
          if (avail > 0) {  // last line without a newline
            emit(out, avail, avail);
            ++produced;
          }
          break;
        }
        if (produced > 0) break;  // compacting would move the views already handed out
        if (auto r = fill(); !r) return r.error();
        if (waiting_) break;
        continue;
      }
      std::size_t len = nl - start;
      std::size_t payload = len;
      if (payload > 0 && start[payload - 1] == '\r') --payload;
      emit(out, payload, len + 1);
      ++produced;
    }
    if (produced > 0) return PollStatus::data;
    if (waiting_) {
      waiting_ = false;
      return PollStatus::idle;  // a pipe with nothing to read yet
    }
    return eof_ && begin_ == end_ ? PollStatus::end : PollStatus::data;
  }

  std::string describe() const override { return fmt::format("file {}", path_); }

 private:
  void emit(std::vector<SourceMessage>& out, std::size_t payload, std::size_t consumed) {
    SourceMessage m;
    m.partition = Partition{0};
    m.offset = Offset{base_ + static_cast<std::int64_t>(begin_)};
    m.next = Offset{m.offset.value() + static_cast<std::int64_t>(consumed)};
    m.payload = std::string_view(buf_.data() + begin_, payload);
    m.capacity = buf_.size() - begin_;
    out.push_back(m);
    begin_ += consumed;
  }

  // Drops bytes up to and including the next newline; false when more input is needed.
  bool skip_rest_of_line() {
    char* start = buf_.data() + begin_;
    auto* nl = static_cast<char*>(std::memchr(start, '\n', end_ - begin_));
    if (nl == nullptr) {
      base_ += static_cast<std::int64_t>(end_);
      begin_ = end_ = 0;
      return false;
    }
    begin_ = nl - buf_.data() + 1;
    skipping_ = false;
    return true;
  }

  Result<void> fill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      base_ += static_cast<std::int64_t>(begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    auto room = buf_.size() - kSlack - end_;
    if (stream_) {
      // A pipe (stdin from another program): never block the event loop on it.
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 0) == 0) {
        waiting_ = true;
        return ok();
      }
    }
    for (;;) {
      auto n = ::read(fd_, buf_.data() + end_, room);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error{fmt::format("read {}: {}", path_, std::strerror(errno))};
      if (n == 0) eof_ = true;
      end_ += static_cast<std::size_t>(n);
      std::memset(buf_.data() + end_, 0, kSlack);
      return ok();
    }
  }

  std::string path_;
  int fd_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t begin_ = 0, end_ = 0;  // unread bytes are buf_[begin_, end_)
  std::int64_t base_ = 0;            // file offset of buf_[0]
  bool eof_ = false;
  bool skipping_ = false;
  bool stream_ = false;   // not a regular file: reads could block
  bool waiting_ = false;  // the last fill found nothing to read yet
};

}  // namespace

Result<std::unique_ptr<Source>> open_file_source(const std::string& path,
                                                 std::size_t max_line_bytes) {
  int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
  return std::unique_ptr<Source>(
      std::make_unique<FileSource>(path == "-" ? "stdin" : path, fd, max_line_bytes));
}

}  // namespace kilter::pipeline

#include "pipeline/ingest/file_source.h"

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

// The failed system call's errno as an Error with its code (a read error of the
// device is io, an interrupted or would-block call unavailable, the rest failed).
Error system_error(std::string_view what, const std::string& path) {
  const int err = errno;
  return Error{fmt::format("{} {}: {}", what, path, std::strerror(err)), errc_from_errno(err)};
}

class FileSource final : public Source {
 public:
  FileSource(std::string path, int fd, std::size_t max_line, std::size_t chunk)
      : path_(std::move(path)), fd_(fd), max_line_(max_line) {
    buf_.resize(std::max(chunk == 0 ? kChunk : chunk, 2 * (max_line_ + 2)) + kSlack);
    oversized_.resize(max_line_ + 1 + kSlack);
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
    skipping_ = false;
    base_ = o.value();
    if (::lseek(fd_, o.value(), SEEK_SET) == o.value()) return ok();
    if (errno != ESPIPE) return system_error("seek", path_);
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
        // An oversized line is only started by an empty batch (see below), and
        // handed out as soon as its end is found: no view of this batch points
        // into the buffer that the skip refills.
        if (!skip_rest_of_line() && !eof_) {
          if (auto r = fill(); !r) return r.error();
          if (waiting_) break;
          continue;
        }
        emit_oversized(out);
        ++produced;
        continue;
      }
      char* start = buf_.data() + begin_;
      auto avail = end_ - begin_;
      auto* nl = static_cast<char*>(std::memchr(start, '\n', avail));
      if (nl == nullptr) {
        if (too_long(start, avail)) {
          // Skipping the rest refills the buffer, which the views already handed
          // out point into: those go first.
          if (produced > 0) break;
          start_oversized();
          continue;
        }
        if (eof_) {
          if (avail > 0) {  // last line without a newline
            emit(out, payload_of(start, avail), avail);
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
      emit(out, payload_of(start, len), len + 1);
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

  // A line's payload leaves out the CR of a CRLF ending.
  static std::size_t payload_of(const char* line, std::size_t len) {
    return len > 0 && line[len - 1] == '\r' ? len - 1 : len;
  }

  // True when the `avail` bytes at `start` (no newline among them) already make a
  // line longer than the limit, whatever follows: a CR at the limit + 1 may still
  // be the CR of a CRLF ending.
  bool too_long(const char* start, std::size_t avail) const {
    return avail > max_line_ + 1 || (avail == max_line_ + 1 && start[max_line_] != '\r');
  }

  // Keeps the first max_line_ + 1 bytes of the line at begin_ aside (they are
  // what the decoder refuses as oversized) and skips the rest of the line; the
  // message is handed out once its end, and so the position after it, is known.
  void start_oversized() {
    skip_from_ = base_ + static_cast<std::int64_t>(begin_);
    std::memcpy(oversized_.data(), buf_.data() + begin_, max_line_ + 1);
    begin_ += max_line_ + 1;
    skipping_ = true;
  }

  void emit_oversized(std::vector<SourceMessage>& out) {
    SourceMessage m;
    m.partition = Partition{0};
    m.offset = Offset{skip_from_};
    m.next = Offset{base_ + static_cast<std::int64_t>(begin_)};
    m.payload = std::string_view(oversized_.data(), max_line_ + 1);
    m.capacity = oversized_.size();
    out.push_back(m);
    skipping_ = false;
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
      // Only a poll that says so lets the read go: a poll interrupted by a
      // signal (a SIGHUP storm) returns -1, and a read then would wait for the
      // writer with the whole loop (health, reloads) stuck behind it.
      pollfd pfd{fd_, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, 0);
      if (ready < 0 && errno != EINTR && errno != EAGAIN) return system_error("poll", path_);
      if (ready <= 0 || (pfd.revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        waiting_ = true;
        return ok();
      }
    }
    for (;;) {
      auto n = ::read(fd_, buf_.data() + end_, room);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return system_error("read", path_);
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
  bool skipping_ = false;  // inside an oversized line, which starts at skip_from_
  std::int64_t skip_from_ = 0;
  std::string oversized_;  // its first max_line_ + 1 bytes, and zeroed slack
  bool stream_ = false;    // not a regular file: reads could block
  bool waiting_ = false;   // the last fill found nothing to read yet
};

}  // namespace

Result<std::unique_ptr<Source>> open_file_source(const std::string& path,
                                                 std::size_t max_line_bytes,
                                                 std::size_t buffer_bytes) {
  int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error("cannot open", path);
  return std::unique_ptr<Source>(
      std::make_unique<FileSource>(path == "-" ? "stdin" : path, fd, max_line_bytes, buffer_bytes));
}

}  // namespace kilter::pipeline

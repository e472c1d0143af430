// The file source's framing on arbitrary bytes, as a regular file and as a pipe,
// with tiny and default line limits, one message per poll or many: it never crashes
// or loops, messages come in increasing offsets, a payload is the file's bytes at its
// offset (a line without its "\n" / "\r\n", or a prefix of an oversized one),
// every payload decodes in place within its capacity, and one over the line limit
// is refused as oversized by a decoder with that limit.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/ingest/decoder.h"
#include "pipeline/ingest/file_source.h"
#include "tests/fuzz/fuzz_input.h"

using namespace kilter;
using namespace kilter::pipeline;

namespace {

void write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::write(fd, bytes.data(), bytes.size());
    FUZZ_CHECK(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// An fd holding `bytes`: a memory file (regular) or a pipe already closed for writing.
int input_fd(std::string_view bytes, bool pipe) {
  if (!pipe) {
    int fd = ::memfd_create("fuzz-input", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    write_all(fd, bytes);
    return fd;
  }
  int p[2];
  FUZZ_CHECK(::pipe2(p, O_CLOEXEC) == 0);
  // The whole input fits in the pipe, so the writer never blocks.
  FUZZ_CHECK(::fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 0);
  write_all(p[1], bytes);
  ::close(p[1]);
  return p[0];
}

void drain(std::string_view bytes, bool pipe, std::size_t max_line, std::size_t per_poll,
           std::int64_t start) {
  int fd = input_fd(bytes, pipe);
  auto src = open_file_source("/proc/self/fd/" + std::to_string(fd), max_line);
  ::close(fd);
  FUZZ_CHECK(src.ok());
  auto& s = **src;
  FUZZ_CHECK(s.seek(Partition{0}, Offset{start}).ok());
  Decoder decoder(max_line);
  std::vector<SourceMessage> out;
  std::int64_t next = start;
  // Each poll makes progress or ends: more polls than bytes would mean a loop.
  for (std::size_t polls = 0;; ++polls) {
    FUZZ_CHECK(polls <= bytes.size() + 4);
    out.clear();
    auto r = s.poll(out, per_poll);
    FUZZ_CHECK(r.ok());
    FUZZ_CHECK(out.size() <= per_poll);
    for (const auto& m : out) {
      FUZZ_CHECK(m.partition == Partition{0});
      FUZZ_CHECK(m.offset.value() >= next && m.next.value() > m.offset.value());
      FUZZ_CHECK(m.next.value() <= static_cast<std::int64_t>(bytes.size()));
      FUZZ_CHECK(m.capacity >= m.payload.size());
      auto at = static_cast<std::size_t>(m.offset.value());
      if (bytes.substr(at, m.payload.size()) != m.payload)
        std::fprintf(stderr, "pipe %d max_line %zu start %ld: offset %zu: [%.*s]\n", pipe, max_line,
                     static_cast<long>(start), at, static_cast<int>(m.payload.size()),
                     m.payload.data());
      FUZZ_CHECK(bytes.substr(at, m.payload.size()) == m.payload);
      next = m.next.value();
      Event e;
      auto d = decoder.decode(m.payload, m.capacity, e);
      // A line longer than the limit, whole or truncated, is refused as oversized.
      if (m.payload.size() > max_line) FUZZ_CHECK(!d.ok && d.reason == BadInput::oversized);
    }
    if (*r == PollStatus::end) break;
    FUZZ_CHECK(*r == PollStatus::data || out.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > (1 << 20)) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  drain(bytes, false, 16, 1, 0);
  drain(bytes, true, 64 * 1024, 1000, 0);
  drain(bytes, true, 16, 3, static_cast<std::int64_t>(size / 2));
  return 0;
}

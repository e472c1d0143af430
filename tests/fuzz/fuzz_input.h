// Typed values from fuzz bytes (a small FuzzedDataProvider that also builds with
// GCC, for the corpus replay of the Release and ASan builds). Reads past the end
// give zeros, so every input is usable.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

// A property every input must keep; a violation aborts, which the fuzzer reports.
#define FUZZ_CHECK(cond)                                                                  \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

namespace kilter::fuzz {

class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool flag() { return byte() & 1; }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
    return v;
  }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // lo..hi inclusive
    auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span == std::numeric_limits<std::uint64_t>::max()) return static_cast<std::int64_t>(u64());
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + u64() % (span + 1));
  }

  // Special values (NaN, infinities, huge, tiny, negative zero) and ordinary ones;
  // rarely raw bits (mostly huge or tiny: slow to print, so not too often).
  double number() {
    static constexpr double kSpecial[] = {0.0,
                                          -0.0,
                                          1.0,
                                          -1.0,
                                          0.5,
                                          0.1,
                                          0.42,
                                          1e-300,
                                          5e-324,
                                          1e300,
                                          -1e300,
                                          1.7976931348623157e308,
                                          std::numeric_limits<double>::quiet_NaN(),
                                          std::numeric_limits<double>::infinity(),
                                          -std::numeric_limits<double>::infinity(),
                                          12345.678,
                                          1e15,
                                          9007199254740993.0};
    auto b = byte();
    if (b < 16)
      return static_cast<double>(static_cast<std::int64_t>(u64() % 2000001) - 1000000) / 1000;
    if (b < 248) return kSpecial[b % (sizeof(kSpecial) / sizeof(kSpecial[0]))];
    double d;
    auto bits = u64();
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }

  // Valid UTF-8 of up to `max` source bytes: ASCII as is (control characters, quotes
  // and backslashes included), other bytes mapped to multi-byte characters. The
  // daemon's strings come from valid UTF-8 (the decoder and YAML check it).
  std::string text(std::size_t max) {
    static constexpr std::string_view kWide[] = {"é",    "€",          "😀", "\u2028", "\u0301",
                                                 "日本", "\U0010FFFF", "ß", "\u00a0", "🇫🇷"};
    auto n = static_cast<std::size_t>(byte()) % (max + 1);
    std::string out;
    for (std::size_t i = 0; i < n && !empty(); ++i) {
      auto c = byte();
      if (c < 0x80)
        out.push_back(static_cast<char>(c));
      else
        out += kWide[c % (sizeof(kWide) / sizeof(kWide[0]))];
    }
    return out;
  }

  // What is left, as raw bytes.
  std::string_view rest() {
    std::string_view r(reinterpret_cast<const char*>(data_) + pos_,
                       pos_ < size_ ? size_ - pos_ : 0);
    pos_ = size_;
    return r;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

}  // namespace kilter::fuzz

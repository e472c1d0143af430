#include "pipeline/classify/fast_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "pipeline/classify/normalize.h"

namespace kilter::pipeline::text {
namespace {

constexpr std::uint8_t kSep = static_cast<std::uint8_t>(CharClass::sep);
constexpr std::uint8_t kUpper = static_cast<std::uint8_t>(CharClass::upper);
constexpr std::uint8_t kLower = static_cast<std::uint8_t>(CharClass::lower);
constexpr std::uint8_t kDigit = static_cast<std::uint8_t>(CharClass::digit);
constexpr std::uint8_t kSymbol = static_cast<std::uint8_t>(CharClass::symbol);
constexpr std::uint8_t kIgnore = static_cast<std::uint8_t>(CharClass::ignore);

constexpr char32_t kTableSize = 0x180;  // ASCII, Latin-1, Latin Extended-A
constexpr std::size_t kMaxEntry = 8;    // bytes a table entry holds (at most 4 per input byte)
constexpr std::size_t kGrowth = 4;      // output bytes per input byte on the table path

struct Entry {
  std::uint8_t cls = kSep;
  std::uint8_t len = 0;
  bool currency = false;
  bool plain = true;  // no word break inside the folded form
  bool slow = false;  // does not fit: go through fold_char
  char bytes[kMaxEntry] = {};
};

struct Table {
  std::array<Entry, kTableSize> e{};
  Table() {
    std::string s;
    for (char32_t cp = 0; cp < kTableSize; ++cp) {
      s.clear();
      bool currency = false;
      auto& x = e[cp];
      x.cls = static_cast<std::uint8_t>(fold_char(cp, s, currency));
      x.currency = currency;
      if (s.size() > kMaxEntry) {
        x.slow = true;
        continue;
      }
      x.len = static_cast<std::uint8_t>(s.size());
      x.plain = s.find(' ') == std::string::npos;
      std::memcpy(x.bytes, s.data(), s.size());
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

bool is_letter(std::uint8_t c) {
  return c == kUpper || c == kLower;
}

class Scanner {
 public:
  Scanner(std::string_view in, FastMode mode, std::string& out, std::vector<FastToken>& toks)
      : p_(reinterpret_cast<const unsigned char*>(in.data())),
        n_(in.size()),
        mode_(mode),
        out_(out),
        toks_(toks),
        w_(out.size()) {
    reserve(0);
  }

  void run() {
    const auto& t = table().e;
    std::size_t i = 0;
    while (i < n_) {
      const unsigned c = p_[i];
      if (c >= 'a' && c <= 'z') {  // the common case: a run of small letters
        word_start(kLower, i);
        std::size_t j = i;
        do {
          o_[w_++] = static_cast<char>(p_[j++]);
        } while (j < n_ && p_[j] >= 'a' && p_[j] <= 'z');
        cur_.shape = static_cast<std::uint8_t>((cur_.shape & ~kAllDigits) | kHasLower);
        cur_.letters = static_cast<std::uint8_t>(std::min<std::size_t>(255, cur_.letters + j - i));
        cur_.raw_end = static_cast<std::uint32_t>(j);
        prev_ = kLower;
        upper_run_ = 0;
        i = j;
        continue;
      }
      if (c < 0x80) {
        const auto& e = t[c];
        on_char(e.cls, c, e.bytes, e.len, true, e.currency, i, 1);
        ++i;
        continue;
      }
      if (c >= 0xC2 && c <= 0xC5 && i + 1 < n_ && (p_[i + 1] & 0xC0) == 0x80) {
        const char32_t cp = ((c & 0x1Fu) << 6) | (p_[i + 1] & 0x3Fu);
        const auto& e = t[cp];
        if (!e.slow) {
          on_char(e.cls, cp, e.bytes, e.len, e.plain, e.currency, i, 2);
          i += 2;
          continue;
        }
      }
      utf8proc_int32_t cp = 0;
      auto len = utf8proc_iterate(p_ + i, static_cast<utf8proc_ssize_t>(n_ - i), &cp);
      if (len <= 0) {  // invalid UTF-8: a separator, as in the tokenizer
        close();
        ++i;
        continue;
      }
      slow_char(static_cast<char32_t>(cp), i, static_cast<std::size_t>(len));
      i += static_cast<std::size_t>(len);
    }
    close();
    out_.resize(w_);
  }

 private:
  // Keeps room for what the rest of the input can write on the table path.
  void reserve(std::size_t consumed) {
    out_.resize(w_ + (n_ - consumed) * kGrowth + 16);
    o_ = out_.data();
  }

  void close() {
    if (open_ && w_ > cur_.off) {
      cur_.len = static_cast<std::uint32_t>(w_ - cur_.off);
      toks_.push_back(cur_);
    }
    open_ = false;
    prev_ = kSep;
    upper_run_ = 0;
  }

  void open(std::size_t raw) {
    open_ = true;
    cur_ = FastToken{static_cast<std::uint32_t>(w_),
                     0,
                     static_cast<std::uint32_t>(raw),
                     static_cast<std::uint32_t>(raw),
                     true,
                     kAllDigits,
                     0};
  }

  // A letter or digit of class `cls` at raw offset `raw` is about to be written: split
  // mode's word boundaries, then open a token if none is.
  void word_start(std::uint8_t cls, std::size_t raw) {
    if (mode_ == FastMode::split && open_) {
      if ((prev_ == kLower && cls == kUpper) || (prev_ == kDigit && is_letter(cls)) ||
          (is_letter(prev_) && cls == kDigit)) {
        close();
      } else if (prev_ == kUpper && cls == kLower && upper_run_ >= 2 &&
                 last_upper_off_ > cur_.off) {
        // "HTMLParser": the last capital starts the next word.
        FastToken first = cur_;
        first.len = static_cast<std::uint32_t>(last_upper_off_ - cur_.off);
        first.raw_end = static_cast<std::uint32_t>(last_upper_raw_);
        first.shape = kHasUpper;
        toks_.push_back(first);
        cur_.off = static_cast<std::uint32_t>(last_upper_off_);
        cur_.raw_begin = static_cast<std::uint32_t>(last_upper_raw_);
        cur_.shape = kHasUpper;
        cur_.letters = 1;
      }
    }
    if (!open_) open(raw);
  }

  void on_char(std::uint8_t cls, char32_t cp, const char* bytes, std::size_t len, bool plain,
               bool currency, std::size_t raw, std::size_t raw_len) {
    switch (cls) {
      case kSep:
        close();
        return;
      case kIgnore:
        return;
      case kSymbol:
        close();
        if (mode_ == FastMode::url || len == 0) return;
        toks_.push_back({static_cast<std::uint32_t>(w_), static_cast<std::uint32_t>(len),
                         static_cast<std::uint32_t>(raw), static_cast<std::uint32_t>(raw + raw_len),
                         false, static_cast<std::uint8_t>(currency ? kCurrency : 0), 0});
        if (bytes != o_ + w_) std::memcpy(o_ + w_, bytes, len);
        w_ += len;
        return;
      default:
        break;
    }
    if (len == 0) return;  // folds to nothing, like an ignored mark
    word_start(cls, raw);
    const std::size_t before = w_;
    if (plain) {
      if (bytes != o_ + w_) std::memcpy(o_ + w_, bytes, len);
      w_ += len;
    } else {
      for (std::size_t k = 0; k < len; ++k) {  // in place is safe: w_ never passes k
        if (bytes[k] == ' ') {
          close();
          continue;
        }
        if (!open_) open(raw);
        o_[w_++] = bytes[k];
      }
      if (!open_) return;
    }
    std::uint8_t s = cur_.shape;
    if (cls != kDigit) s &= static_cast<std::uint8_t>(~kAllDigits);
    if (cp >= 0x80) {
      s |= kNonAscii;
    } else if (cls == kUpper) {
      s |= kHasUpper;
    } else if (cls == kLower) {
      s |= kHasLower;
    } else {
      s |= kHasDigit;
    }
    cur_.shape = s;
    if (cp < 0x80 && cls != kDigit && cur_.letters < 255) ++cur_.letters;
    cur_.raw_end = static_cast<std::uint32_t>(raw + raw_len);
    if (cls == kUpper) {
      if (upper_run_ == 0 || prev_ != kUpper) upper_run_ = 0;
      ++upper_run_;
      last_upper_off_ = before;
      last_upper_raw_ = raw;
    } else {
      upper_run_ = 0;
    }
    prev_ = cls;
  }

  // Any other code point: fold_char writes its form at the end of the output, where
  // on_char reads it in place.
  void slow_char(char32_t cp, std::size_t raw, std::size_t raw_len) {
    out_.resize(w_);
    bool currency = false;
    auto cls = static_cast<std::uint8_t>(fold_char(cp, out_, currency));
    const std::size_t len = out_.size() - w_;
    o_ = out_.data();
    on_char(cls, cp, o_ + w_, len, cls == kSymbol || len == 0 || !std::memchr(o_ + w_, ' ', len),
            currency, raw, raw_len);
    reserve(raw + raw_len);
  }

  const unsigned char* p_;
  std::size_t n_;
  FastMode mode_;
  std::string& out_;
  std::vector<FastToken>& toks_;
  std::size_t w_;
  char* o_ = nullptr;
  bool open_ = false;
  FastToken cur_{};
  std::uint8_t prev_ = kSep;
  std::size_t upper_run_ = 0;
  std::size_t last_upper_off_ = 0;
  std::size_t last_upper_raw_ = 0;
};

}  // namespace

void tokenize_fast(std::string_view in, FastMode mode, std::string& out,
                   std::vector<FastToken>& toks) {
  Scanner(in, mode, out, toks).run();
}

std::string fast_normalize(std::string_view in) {
  std::string buf;
  std::vector<FastToken> toks;
  tokenize_fast(in, FastMode::text, buf, toks);
  std::string out;
  for (const auto& t : toks) {
    if (!out.empty()) out.push_back(' ');
    out.append(buf, t.off, t.len);
  }
  return out;
}

}  // namespace kilter::pipeline::text

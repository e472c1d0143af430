#include "pipeline/classify/fast_text.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

template <FastMode kMode>
class Scanner {
 public:
  Scanner(std::string_view in, std::string& out, std::vector<FastToken>& toks)
      : p_(reinterpret_cast<const unsigned char*>(in.data())),
        n_(in.size()),
        out_(out),
        toks_(toks),
        w_(out.size()) {
    reserve(0);
  }

  void run() {
    const auto& t = table().e;
    const unsigned char* const p = p_;
    const std::size_t n = n_;
    std::size_t i = 0;
    while (i < n) {
#if defined(__SSE2__)
      if constexpr (kMode != FastMode::split) {
        if (ascii_block(i)) continue;
      }
#endif
      const unsigned c = p[i];
      if (c < 0x80) {
        const auto cls = t[c].cls;
        if (cls == kLower) {  // the common case: a run of small letters
          word_start(kLower, i);
          char* const o = o_;
          std::size_t w = w_;
          std::size_t j = i;
          do {
            o[w++] = static_cast<char>(p[j++]);
          } while (j < n && static_cast<unsigned char>(p[j] - 'a') < 26);
          w_ = w;
          cur_shape_ = (cur_shape_ & ~unsigned{kAllDigits}) | kHasLower;
          cur_letters_ = std::min<std::size_t>(2, cur_letters_ + j - i);
          cur_raw_end_ = j;
          prev_ = kLower;
          upper_run_ = 0;
          i = j;
        } else if (cls == kSep) {
          close();
          ++i;
        } else if (cls == kUpper || cls == kDigit) {
          ascii_word(c, cls, i);
          ++i;
        } else {
          on_char(cls, c, t[c].bytes, t[c].len, true, t[c].currency, i, 1);
          ++i;
        }
        continue;
      }
      if (c >= 0xC2 && c <= 0xC5 && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
        const char32_t cp = ((c & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);
        const auto& e = t[cp];
        if (!e.slow) {
          on_char(e.cls, cp, e.bytes, e.len, e.plain, e.currency, i, 2);
          i += 2;
          continue;
        }
      }
      utf8proc_int32_t cp = 0;
      auto len = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
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
#if defined(__SSE2__)
  static unsigned in_range(__m128i v, char lo, char hi) {
    const __m128i x = _mm_sub_epi8(v, _mm_set1_epi8(lo));
    return static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(static_cast<char>(hi - lo))), x)));
  }

  // Up to 16 ASCII bytes at once (text and url modes): the bytes are copied lower-cased
  // to the output as they are, separators included (a token is a range of the output,
  // nothing needs them packed), and the tokens are read from bit masks. False when the
  // byte at i is not ASCII.
  bool ascii_block(std::size_t& i) {
    const std::size_t rem = n_ - i;
    __m128i v;
    if (rem >= 16) {
      v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_ + i));
    } else {
      alignas(16) unsigned char tail[16] = {};
      std::memcpy(tail, p_ + i, rem);
      v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
    }
    unsigned len = rem >= 16 ? 16u : static_cast<unsigned>(rem);
    if (const unsigned high = static_cast<unsigned>(_mm_movemask_epi8(v))) {
      len = std::min<unsigned>(len, static_cast<unsigned>(__builtin_ctz(high)));
      if (len == 0) return false;
    }
    const unsigned valid = (1u << len) - 1;
    const __m128i up =
        _mm_cmpeq_epi8(_mm_min_epu8(_mm_sub_epi8(v, _mm_set1_epi8('A')), _mm_set1_epi8(25)),
                       _mm_sub_epi8(v, _mm_set1_epi8('A')));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o_ + w_),
                     _mm_add_epi8(v, _mm_and_si128(up, _mm_set1_epi8(0x20))));
    const unsigned um = static_cast<unsigned>(_mm_movemask_epi8(up)) & valid;
    const unsigned lm = in_range(v, 'a', 'z') & valid;
    const unsigned dm = in_range(v, '0', '9') & valid;
    const unsigned wm = um | lm | dm;
    unsigned sm = 0;
    if constexpr (kMode != FastMode::url) {
      sm = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
               _mm_cmpeq_epi8(v, _mm_set1_epi8('$')), _mm_cmpeq_epi8(v, _mm_set1_epi8('%'))))) &
           valid;
    }
    if (open_ && !(wm & 1)) close();
    unsigned events = (wm & ~(wm << 1)) | sm;
    while (events) {
      const unsigned b = static_cast<unsigned>(__builtin_ctz(events));
      events &= events - 1;
      if ((sm >> b) & 1) {
        push(w_ + b, 1, i + b, i + b + 1, false, p_[i + b] == '$' ? kCurrency : 0, 0);
        continue;
      }
      const unsigned run = static_cast<unsigned>(__builtin_ctz(~(wm >> b)));
      const unsigned r = ((1u << run) - 1) << b;
      const unsigned letters = (um | lm) & r;
      const unsigned shape =
          ((dm & r) == r ? unsigned{kAllDigits} : 0u) | ((um & r) ? unsigned{kHasUpper} : 0u) |
          ((lm & r) ? unsigned{kHasLower} : 0u) | ((dm & r) ? unsigned{kHasDigit} : 0u);
      const unsigned nletters = letters == 0 ? 0u : (letters & (letters - 1)) ? 2u : 1u;
      if (b == 0 && open_) {  // continues the token before the block
        cur_shape_ =
            (cur_shape_ & (shape | ~unsigned{kAllDigits})) | (shape & ~unsigned{kAllDigits});
        cur_letters_ = std::min<std::size_t>(2, cur_letters_ + nletters);
      } else if (b + run < len) {  // the common case: a token inside the block
        push(w_ + b, run, i + b, i + b + run, true, shape, nletters);
        continue;
      } else {  // may go on after the block
        open_ = true;
        cur_off_ = w_ + b;
        cur_raw_begin_ = i + b;
        cur_shape_ = shape;
        cur_letters_ = nletters;
      }
      cur_raw_end_ = i + b + run;
      if (b + run < len) close_at(w_ + b + run);
    }
    i += len;
    w_ += len;
    return true;
  }
#endif

  // An ASCII capital or digit.
  void ascii_word(unsigned c, std::uint8_t cls, std::size_t raw) {
    word_start(cls, raw);
    if (cls == kUpper) {
      if (prev_ != kUpper) upper_run_ = 0;
      ++upper_run_;
      last_upper_off_ = w_;
      last_upper_raw_ = raw;
      o_[w_++] = static_cast<char>(c + ('a' - 'A'));
      cur_shape_ = (cur_shape_ & ~unsigned{kAllDigits}) | kHasUpper;
      if (cur_letters_ < 2) ++cur_letters_;
    } else {
      upper_run_ = 0;
      o_[w_++] = static_cast<char>(c);
      cur_shape_ |= kHasDigit;
    }
    cur_raw_end_ = raw + 1;
    prev_ = cls;
  }

  // Writes a character's folded bytes at w_: a table entry's 8 bytes at once (the output
  // keeps at least 16 bytes of room), or nothing when slow_char put them there already.
  void copy(const char* bytes, std::size_t len) {
    if (bytes == o_ + w_) return;
    if (len <= kMaxEntry) {
      std::memcpy(o_ + w_, bytes, kMaxEntry);
    } else {
      std::memcpy(o_ + w_, bytes, len);
    }
  }

  // Keeps room for what the rest of the input can write on the table path.
  void reserve(std::size_t consumed) {
    out_.resize(w_ + (n_ - consumed) * kGrowth + 16);
    o_ = out_.data();
  }

  void push(std::size_t off, std::size_t len, std::size_t raw_begin, std::size_t raw_end, bool word,
            unsigned shape, unsigned letters) {
    // Field by field: a token built whole and copied would be read back from stores
    // that have not completed (a store-forwarding stall on every token).
    auto& t = toks_.emplace_back();
    t.off = static_cast<std::uint32_t>(off);
    t.len = static_cast<std::uint32_t>(len);
    t.raw_begin = static_cast<std::uint32_t>(raw_begin);
    t.raw_end = static_cast<std::uint32_t>(raw_end);
    t.word = word;
    t.shape = static_cast<std::uint8_t>(shape);
    t.letters = static_cast<std::uint8_t>(letters);
  }

  void close() {
    close_at(w_);
  }

  void close_at(std::size_t end) {
    if (open_ && end > cur_off_) {
      push(cur_off_, end - cur_off_, cur_raw_begin_, cur_raw_end_, true, cur_shape_, cur_letters_);
    }
    open_ = false;
    prev_ = kSep;
    upper_run_ = 0;
  }

  void open(std::size_t raw) {
    open_ = true;
    cur_off_ = w_;
    cur_raw_begin_ = cur_raw_end_ = raw;
    cur_shape_ = kAllDigits;
    cur_letters_ = 0;
  }

  // A letter or digit of class `cls` at raw offset `raw` is about to be written: split
  // mode's word boundaries, then open a token if none is.
  void word_start(std::uint8_t cls, std::size_t raw) {
    if (kMode == FastMode::split && open_) {
      if ((prev_ == kLower && cls == kUpper) || (prev_ == kDigit && is_letter(cls)) ||
          (is_letter(prev_) && cls == kDigit)) {
        close();
      } else if (prev_ == kUpper && cls == kLower && upper_run_ >= 2 &&
                 last_upper_off_ > cur_off_) {
        // "HTMLParser": the last capital starts the next word.
        push(cur_off_, last_upper_off_ - cur_off_, cur_raw_begin_, last_upper_raw_, true, kHasUpper,
             0);
        cur_off_ = last_upper_off_;
        cur_raw_begin_ = last_upper_raw_;
        cur_shape_ = kHasUpper;
        cur_letters_ = 1;
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
        if (kMode == FastMode::url || len == 0) return;
        push(w_, len, raw, raw + raw_len, false, currency ? kCurrency : 0, 0);
        copy(bytes, len);
        w_ += len;
        return;
      default:
        break;
    }
    if (len == 0) return;  // folds to nothing, like an ignored mark
    word_start(cls, raw);
    const std::size_t before = w_;
    if (plain) {
      copy(bytes, len);
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
    unsigned s = cur_shape_;
    if (cls != kDigit) s &= ~unsigned{kAllDigits};
    if (cp >= 0x80) {
      s |= kNonAscii;
    } else if (cls == kUpper) {
      s |= kHasUpper;
    } else if (cls == kLower) {
      s |= kHasLower;
    } else {
      s |= kHasDigit;
    }
    cur_shape_ = s;
    if (cp < 0x80 && cls != kDigit && cur_letters_ < 2) ++cur_letters_;
    cur_raw_end_ = raw + raw_len;
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

  // Any other code point: fold_char writes its form to a scratch buffer (at most 128
  // bytes, so reserved once per thread), copied to the output, where on_char reads it
  // in place. The output grows geometrically: a post of such characters stays linear.
  void slow_char(char32_t cp, std::size_t raw, std::size_t raw_len) {
    thread_local std::string scratch = [] {
      std::string s;
      s.reserve(256);
      return s;
    }();
    scratch.clear();
    bool currency = false;
    auto cls = static_cast<std::uint8_t>(fold_char(cp, scratch, currency));
    const std::size_t len = scratch.size();
    const std::size_t need = w_ + len + (n_ - raw - raw_len) * kGrowth + 16;
    if (need > out_.size()) {
      out_.resize(std::max(need, out_.size() * 2));
      o_ = out_.data();
    }
    std::memcpy(o_ + w_, scratch.data(), len);
    on_char(cls, cp, o_ + w_, len, cls == kSymbol || len == 0 || !std::memchr(o_ + w_, ' ', len),
            currency, raw, raw_len);
  }

  const unsigned char* p_;
  std::size_t n_;
  std::string& out_;
  std::vector<FastToken>& toks_;
  std::size_t w_;
  char* o_ = nullptr;
  bool open_ = false;
  // The token being read.
  std::size_t cur_off_ = 0;
  std::size_t cur_raw_begin_ = 0;
  std::size_t cur_raw_end_ = 0;
  unsigned cur_shape_ = 0;
  std::size_t cur_letters_ = 0;
  std::uint8_t prev_ = kSep;
  std::size_t upper_run_ = 0;
  std::size_t last_upper_off_ = 0;
  std::size_t last_upper_raw_ = 0;
};

}  // namespace

void tokenize_fast(std::string_view in, FastMode mode, std::string& out,
                   std::vector<FastToken>& toks) {
  switch (mode) {
    case FastMode::text:
      Scanner<FastMode::text>(in, out, toks).run();
      break;
    case FastMode::split:
      Scanner<FastMode::split>(in, out, toks).run();
      break;
    case FastMode::url:
      Scanner<FastMode::url>(in, out, toks).run();
      break;
  }
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

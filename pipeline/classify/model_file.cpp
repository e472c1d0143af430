// The model file: encode_model() and Model::load(). Every size is checked against
// the bytes that remain before anything is allocated, so a truncated, corrupted or
// hostile file is an Error, never a crash or a huge allocation. Layout:
// pipeline/classify/README.md ("The model file").
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include <fmt/format.h>

#include "common/hash.h"
#include "pipeline/classify/model.h"

namespace kilter::pipeline {
namespace {

static_assert(std::numeric_limits<float>::is_iec559, "the model file stores IEEE 754 floats");

constexpr char kMagic[8] = {'K', 'I', 'L', 'T', 'M', 'O', 'D', 'L'};
constexpr std::array<std::string_view, 3> kLabels = {"personal", "professional", "promotional"};
constexpr std::size_t kHeaderBytes = 24;  // magic, version, flags, total size
constexpr std::size_t kTrailerBytes = 8;  // checksum

class Writer {
 public:
  void bytes(const void* p, std::size_t n) {
    auto b = static_cast<const std::byte*>(p);
    out_.insert(out_.end(), b, b + n);
  }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::byte>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::byte>(v >> (8 * i)));
  }
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  void scores(const Scores& s) {
    for (float v : s) f32(v);
  }
  std::vector<std::byte>& out() { return out_; }

 private:
  std::vector<std::byte> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::byte> b) : b_(b) {}
  std::size_t left() const { return b_.size() - at_; }
  bool u32(std::uint32_t& v) {
    if (left() < 4) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) v |= std::to_integer<std::uint32_t>(b_[at_ + i]) << (8 * i);
    at_ += 4;
    return true;
  }
  bool i32(std::int32_t& v) {
    std::uint32_t u;
    if (!u32(u)) return false;
    v = static_cast<std::int32_t>(u);
    return true;
  }
  bool f32(float& v) {
    std::uint32_t u;
    if (!u32(u)) return false;
    v = std::bit_cast<float>(u);
    return std::isfinite(v);
  }
  bool str(std::string& s, std::uint32_t max) {
    std::uint32_t n;
    if (!u32(n) || n > max || n > left()) return false;
    s.assign(reinterpret_cast<const char*>(b_.data() + at_), n);
    at_ += n;
    return true;
  }
  bool scores(Scores& s) { return f32(s[0]) && f32(s[1]) && f32(s[2]); }

 private:
  std::span<const std::byte> b_;
  std::size_t at_ = 0;
};

std::uint64_t read_u64(std::span<const std::byte> b) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::to_integer<std::uint64_t>(b[i]) << (8 * i);
  return v;
}

std::uint64_t checksum(std::span<const std::byte> b) {
  return hash64(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()),
                0x4B494C544D4F444Cull);
}

Error bad(std::string_view what) {
  return Error{fmt::format("not a valid model file: {}", what), Errc::corruption};
}

}  // namespace

std::vector<std::byte> encode_model(const ModelData& d) {
  Writer w;
  w.bytes(kMagic, sizeof kMagic);
  w.u32(kModelVersion);
  w.u32(0);  // flags
  w.u64(0);  // total size, patched below
  w.u32(static_cast<std::uint32_t>(kLabels.size()));
  for (auto l : kLabels) w.str(l);
  w.u32(static_cast<std::uint32_t>(d.minn));
  w.u32(static_cast<std::uint32_t>(d.maxn));
  w.u32(static_cast<std::uint32_t>(d.word_ngrams));
  w.u32(d.bucket);
  w.f32(d.temperature);
  w.str(d.info);
  w.u32(static_cast<std::uint32_t>(d.words.size()));
  for (std::size_t i = 0; i < d.words.size(); ++i) {
    w.str(d.words[i]);
    w.scores(d.word_contrib[i]);
    w.u32(d.word_rows[i]);
  }
  w.u32(static_cast<std::uint32_t>(d.bucket_contrib.size()));
  for (const auto& s : d.bucket_contrib) w.scores(s);
  auto& out = w.out();
  std::uint64_t total = out.size() + kTrailerBytes;
  for (int i = 0; i < 8; ++i) out[16 + i] = static_cast<std::byte>(total >> (8 * i));
  w.u64(checksum(out));
  return std::move(out);
}

Result<Model> Model::load(std::span<const std::byte> bytes) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return Error{"not a Kilter model file (bad magic)", Errc::failed};
  if (bytes.size() < kHeaderBytes + kTrailerBytes) return bad("truncated header");
  Reader head(bytes.subspan(8, 16));
  std::uint32_t version = 0, flags = 0;
  (void)head.u32(version);
  (void)head.u32(flags);
  if (version != kModelVersion)
    return Error{fmt::format("unsupported model file version {} (this kilterd reads version {})",
                             version, kModelVersion),
                 Errc::failed};
  if (flags != 0) return bad("unknown flags");
  std::uint64_t total = read_u64(bytes.subspan(16, 8));
  if (total != bytes.size())
    return bad(fmt::format("size {} bytes, header says {} (truncated?)", bytes.size(), total));
  auto body = bytes.first(bytes.size() - kTrailerBytes);
  if (checksum(body) != read_u64(bytes.last(kTrailerBytes))) return bad("checksum mismatch");

  Reader r(body.subspan(kHeaderBytes));
  ModelData d;
  std::uint32_t nlabels = 0;
  if (!r.u32(nlabels) || nlabels != kLabels.size()) return bad("expected 3 classes");
  for (auto l : kLabels) {
    std::string name;
    if (!r.str(name, 64) || name != l)
      return bad("classes are not personal, professional, promotional");
  }
  if (!r.i32(d.minn) || !r.i32(d.maxn) || !r.i32(d.word_ngrams) || !r.u32(d.bucket) ||
      !r.f32(d.temperature) || !r.str(d.info, kModelMaxInfoBytes))
    return bad("truncated or invalid parameters");
  std::uint32_t nwords = 0;
  // A word takes at least 20 bytes (length, contributions, row count).
  if (!r.u32(nwords) || nwords > kModelMaxWords || std::uint64_t{nwords} * 20 > r.left())
    return bad("vocabulary size");
  d.words.resize(nwords);
  d.word_contrib.resize(nwords);
  d.word_rows.resize(nwords);
  for (std::uint32_t i = 0; i < nwords; ++i) {
    if (!r.str(d.words[i], kModelMaxWordBytes) || !r.scores(d.word_contrib[i]) ||
        !r.u32(d.word_rows[i]))
      return bad(fmt::format("word {} truncated or invalid", i));
  }
  std::uint32_t nbucket = 0;
  if (!r.u32(nbucket) || nbucket != d.bucket || std::uint64_t{nbucket} * 12 != r.left())
    return bad("bucket rows");
  d.bucket_contrib.resize(nbucket);
  for (auto& s : d.bucket_contrib)
    if (!r.scores(s)) return bad("bucket row not finite");
  auto m = from_data(std::move(d));
  if (m.ok()) m->file_bytes_ = bytes.size();
  return m;
}

Result<Model> Model::load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot read model {}: {}", path, std::strerror(errno))};
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) return Error{fmt::format("cannot read model {}: not a regular file", path)};
  // A valid model holds at most the largest vocabulary and bucket count, about 1.5 GiB.
  if (static_cast<std::uint64_t>(size) > (std::uint64_t{1} << 31))
    return Error{fmt::format("model {}: {} bytes, too large to be a model", path,
                             static_cast<std::uint64_t>(size))};
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size))
    return Error{fmt::format("cannot read model {}: {}", path, std::strerror(errno)), Errc::io};
  auto m = load(bytes);
  if (!m.ok()) return Error{fmt::format("model {}: {}", path, m.error().message), m.error().code};
  return m;
}

Result<Model> Model::from_data(ModelData d) {
  if (d.maxn < 0 || d.maxn > kModelMaxCharNgram || (d.maxn > 0 && (d.minn < 1 || d.minn > d.maxn)))
    return bad(fmt::format("character n-grams {}..{}", d.minn, d.maxn));
  if (d.word_ngrams < 1 || d.word_ngrams > kModelMaxWordNgrams)
    return bad(fmt::format("word n-grams {}", d.word_ngrams));
  if (d.bucket < 1 || d.bucket > kModelMaxBucket || d.bucket_contrib.size() != d.bucket)
    return bad("bucket count");
  if (!std::isfinite(d.temperature) || d.temperature < 0.01f || d.temperature > 100.0f)
    return bad("temperature");
  if (d.words.size() > kModelMaxWords || d.word_contrib.size() != d.words.size() ||
      d.word_rows.size() != d.words.size())
    return bad("vocabulary size");
  // Bounded, so that no sum over a post's rows (at most a few million) can overflow.
  auto bounded = [](const Scores& sc) {
    for (float v : sc)
      if (!(std::abs(v) <= kModelMaxContribution)) return false;
    return true;
  };
  for (const auto& sc : d.bucket_contrib)
    if (!bounded(sc)) return bad("bucket contribution out of range");
  for (std::size_t i = 0; i < d.words.size(); ++i) {
    if (!bounded(d.word_contrib[i])) return bad("word contribution out of range");
    if (d.word_rows[i] < 1 || d.word_rows[i] > 1'000'000) return bad("word row count");
    if (d.words[i].empty() || d.words[i].size() > kModelMaxWordBytes) return bad("word length");
  }
  Model m;
  m.data_ = std::move(d);
  m.index();
  if (m.table_.empty() && !m.data_.words.empty()) return bad("duplicate word");
  return m;
}

}  // namespace kilter::pipeline

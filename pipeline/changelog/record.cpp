#include "pipeline/changelog/record.h"

#include <array>
#include <cstring>

namespace kilter::changelog {
namespace {

constexpr std::size_t kKeptBytes = std::size_t{64} << 10;  // larger buffers are not kept

constexpr char kMagic[4] = {'K', 'L', 'C', '1'};

// CRC-32C tables for slicing by 8 (8 bytes a step): t[0] the byte-wise table, t[k] a
// byte's effect k bytes further on. About 5 times the byte-wise loop's speed.
using Crc32cTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Crc32cTables make_crc32c_tables() {
  Crc32cTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[0][i] = c;
  }
  for (std::uint32_t i = 0; i < 256; ++i)
    for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  return t;
}

constexpr Crc32cTables kCrc32c = make_crc32c_tables();

void put_u8(std::string& out, std::uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void put_u32(std::string& out, std::uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 4);
}
void put_u64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, 8);
}
void put_id(std::string& out, const RecordId& id) {
  out.append(reinterpret_cast<const char*>(id.writer.data()), id.writer.size());
  put_u64(out, id.epoch);
  put_u64(out, id.seq);
}

// Reads fixed-size fields from a byte string whose size was checked beforehand.
struct Reader {
  const unsigned char* p;
  std::uint8_t u8() { return *p++; }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{p[i]} << (8 * i);
    p += 4;
    return v;
  }
  std::uint64_t u64() {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{p[i]} << (8 * i);
    p += 8;
    return v;
  }
  RecordId id() {
    RecordId r;
    std::memcpy(r.writer.data(), p, r.writer.size());
    p += r.writer.size();
    r.epoch = u64();
    r.seq = u64();
    return r;
  }
};

Error corrupt(std::string_view what) {
  return Error{"changelog record: " + std::string(what), Errc::corruption};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::uint32_t crc32c(std::string_view data, std::uint32_t crc) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  const auto& t = kCrc32c;
  crc = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = crc ^ (std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                    std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; ++p, --n) crc = t[0][(crc ^ *p) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::optional<WriterId> writer_from_hex(std::string_view hex) {
  WriterId w{};
  if (hex.size() != 2 * w.size()) return std::nullopt;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    w[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return w;
}

std::string to_hex(const WriterId& w) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * w.size());
  for (auto b : w) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

// Layout: magic[4] | kind u8 | flags u8 | id 32 | prev 32 | base i64 | from i64 | to i64
// | body length u32 | body | crc32c u32 of everything before it.
void encode_record(const RecordHeader& h, std::string_view body, std::string& out) {
  const std::size_t need = kRecordOverhead + body.size();
  // A chain keeps its buffer from one record to the next: after a snapshot each
  // of 64 chains held a 256 KiB chunk's, ~16 MiB of the Kafka run's peak RSS
  // (heaptrack). A record much smaller than the buffer gets one of its size.
  if (out.capacity() > kKeptBytes && out.capacity() / 2 > need) std::string().swap(out);
  out.clear();
  out.reserve(need);
  out.append(kMagic, sizeof kMagic);
  put_u8(out, static_cast<std::uint8_t>(h.kind));
  put_u8(out, h.last_chunk ? 1 : 0);
  put_id(out, h.id);
  put_id(out, h.prev);
  put_u64(out, static_cast<std::uint64_t>(h.base));
  put_u64(out, static_cast<std::uint64_t>(h.from));
  put_u64(out, static_cast<std::uint64_t>(h.to));
  put_u32(out, static_cast<std::uint32_t>(body.size()));
  out.append(body);
  put_u32(out, crc32c(out));
}

Result<RecordView> decode_record(std::string_view bytes) {
  if (bytes.size() < kRecordOverhead) return corrupt("shorter than its header");
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return corrupt("not a Kilter changelog record of a known version");
  Reader r{reinterpret_cast<const unsigned char*>(bytes.data()) + sizeof kMagic};
  RecordView v;
  const auto kind = r.u8();
  if (kind != static_cast<std::uint8_t>(RecordKind::delta) &&
      kind != static_cast<std::uint8_t>(RecordKind::snapshot))
    return corrupt("unknown kind");
  v.header.kind = static_cast<RecordKind>(kind);
  const auto flags = r.u8();
  if ((flags & ~1u) != 0) return corrupt("unknown flags");
  v.header.last_chunk = (flags & 1) != 0;
  v.header.id = r.id();
  v.header.prev = r.id();
  v.header.base = static_cast<std::int64_t>(r.u64());
  v.header.from = static_cast<std::int64_t>(r.u64());
  v.header.to = static_cast<std::int64_t>(r.u64());
  const std::uint64_t len = r.u32();
  if (len != bytes.size() - kRecordOverhead) return corrupt("body length does not match");
  const std::size_t body_at = kRecordOverhead - 4;
  Reader tail{reinterpret_cast<const unsigned char*>(bytes.data()) + body_at + len};
  if (tail.u32() != crc32c(bytes.substr(0, body_at + len))) return corrupt("checksum mismatch");
  if (v.header.from < 0 || v.header.to < v.header.from) return corrupt("bad input offsets");
  if (v.header.kind == RecordKind::delta && v.header.last_chunk)
    return corrupt("a delta flagged as a snapshot chunk");
  v.body = bytes.substr(body_at, len);
  return v;
}

std::string record_key(std::string_view topic, std::int32_t partition) {
  std::string k(topic);
  k.push_back(':');
  k += std::to_string(partition);
  return k;
}

}  // namespace kilter::changelog

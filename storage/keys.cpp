#include "storage/keys.h"

#include <cstring>

namespace kilter::storage::keys {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xff';
constexpr char kTerminator = '\x01';

void append_be(std::string& out, std::uint64_t v, int bytes) {
  char buf[8];
  for (int i = 0; i < bytes; ++i) buf[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
  out.append(buf, static_cast<std::size_t>(bytes));
}

std::uint64_t read_be(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

void append_partition(std::string& out, Partition p) {
  append_be(out, static_cast<std::uint32_t>(p.value()) ^ 0x80000000u, 4);
}

void append_time(std::string& out, TimePoint t) {
  append_be(out, static_cast<std::uint64_t>(epoch_ms(t)) ^ 0x8000000000000000ull, 8);
}

void append_u64(std::string& out, std::uint64_t v) {
  append_be(out, v, 8);
}

void append_account(std::string& out, std::string_view account) {
  // Ids rarely hold a NUL: copy runs between NULs in one go.
  for (;;) {
    const void* nul = std::memchr(account.data(), 0, account.size());
    if (nul == nullptr) break;
    auto n = static_cast<std::size_t>(static_cast<const char*>(nul) - account.data());
    out.append(account.data(), n);
    out.push_back(kEscape);
    out.push_back(kEscapedZero);
    account.remove_prefix(n + 1);
  }
  out.append(account);
  out.push_back(kEscape);
  out.push_back(kTerminator);
}

bool read_partition(std::string_view& in, Partition& p) {
  if (in.size() < kPartitionBytes) return false;
  auto v = static_cast<std::uint32_t>(read_be(in.data(), 4)) ^ 0x80000000u;
  p = Partition{static_cast<std::int32_t>(v)};
  in.remove_prefix(kPartitionBytes);
  return true;
}

bool read_time(std::string_view& in, TimePoint& t) {
  if (in.size() < kTimeBytes) return false;
  t = from_epoch_ms(static_cast<std::int64_t>(read_be(in.data(), 8) ^ 0x8000000000000000ull));
  in.remove_prefix(kTimeBytes);
  return true;
}

bool read_u64(std::string_view& in, std::uint64_t& v) {
  if (in.size() < 8) return false;
  v = read_be(in.data(), 8);
  in.remove_prefix(8);
  return true;
}

bool read_account(std::string_view& in, std::string& scratch, std::string_view& account) {
  const void* nul = std::memchr(in.data(), 0, in.size());
  if (nul == nullptr) return false;
  auto n = static_cast<std::size_t>(static_cast<const char*>(nul) - in.data());
  if (n + 1 >= in.size()) return false;
  if (in[n + 1] == kTerminator) {  // the common case: no NUL inside the id
    account = in.substr(0, n);
    in.remove_prefix(n + 2);
    return true;
  }
  scratch.clear();
  std::size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c != kEscape) {
      scratch.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= in.size()) return false;
    if (in[i + 1] == kTerminator) {
      account = scratch;
      in.remove_prefix(i + 2);
      return true;
    }
    if (in[i + 1] != kEscapedZero) return false;
    scratch.push_back('\0');
    i += 2;
  }
  return false;
}

bool skip_account(std::string_view& in) {
  for (;;) {
    const void* nul = std::memchr(in.data(), 0, in.size());
    if (nul == nullptr) return false;
    auto n = static_cast<std::size_t>(static_cast<const char*>(nul) - in.data());
    if (n + 1 >= in.size()) return false;
    char next = in[n + 1];
    in.remove_prefix(n + 2);
    if (next == kTerminator) return true;
    if (next != kEscapedZero) return false;
  }
}

bool prefix_end(std::string_view prefix, std::string& out) {
  out.assign(prefix);
  while (!out.empty()) {
    auto& last = out.back();
    if (last != '\xff') {
      last = static_cast<char>(static_cast<unsigned char>(last) + 1);
      return true;
    }
    out.pop_back();
  }
  return false;
}

void bucket_key(std::string& out, Partition p, std::string_view account, TimePoint bucket) {
  out.clear();
  append_partition(out, p);
  append_account(out, account);
  append_time(out, bucket);
}

void post_key(std::string& out, Partition p, std::string_view post_id) {
  out.clear();
  append_partition(out, p);
  out.append(post_id);
}

void post_detail_key(std::string& out, Partition p, std::string_view account, TimePoint ts,
                     std::string_view post_id) {
  out.clear();
  append_partition(out, p);
  append_account(out, account);
  append_time(out, ts);
  out.append(post_id);
}

void seen_prefix(std::string& out, Partition p, TimePoint t) {
  out.clear();
  append_partition(out, p);
  append_time(out, t);
}

void seen_key(std::string& out, Partition p, TimePoint newest, Offset position) {
  seen_prefix(out, p, newest);
  append_u64(out, static_cast<std::uint64_t>(position.value()));
}

void alert_key(std::string& out, Partition p, std::string_view account, std::string_view rule) {
  out.clear();
  append_partition(out, p);
  append_account(out, account);
  out.append(rule);
}

void outbox_key(std::string& out, Partition p, std::uint64_t seq) {
  out.clear();
  append_partition(out, p);
  append_u64(out, seq);
}

void partition_key(std::string& out, Partition p) {
  out.clear();
  append_partition(out, p);
}

}  // namespace kilter::storage::keys

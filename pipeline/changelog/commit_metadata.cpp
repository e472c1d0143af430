#include "pipeline/changelog/commit_metadata.h"

#include <charconv>
#include <limits>

namespace kilter::changelog {
namespace {

constexpr std::string_view kPrefix = "kilter1:";

// The next ':'-separated field, consumed from `rest`.
std::string_view next_field(std::string_view& rest) {
  const auto colon = rest.find(':');
  const auto f = rest.substr(0, colon);
  rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
  return f;
}

template <class T>
std::optional<T> number(std::string_view f) {
  if (f.empty() || (f.size() > 1 && f[0] == '0')) return std::nullopt;
  for (char c : f)
    if (c < '0' || c > '9') return std::nullopt;
  T v{};
  auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc{} || end != f.data() + f.size()) return std::nullopt;
  return v;
}

}  // namespace

std::string format_commit_metadata(const ChainHead& head) {
  std::string s(kPrefix);
  s += to_hex(head.id.writer);
  for (const auto v : {head.id.epoch, head.id.seq}) {
    s.push_back(':');
    s += std::to_string(v);
  }
  for (const std::int64_t v : {std::int64_t{head.partition}, head.offset, head.base}) {
    s.push_back(':');
    s += std::to_string(v);
  }
  return s;
}

bool is_commit_metadata(std::string_view text) {
  return text.starts_with(kPrefix);
}

std::optional<ChainHead> parse_commit_metadata(std::string_view text) {
  if (!is_commit_metadata(text)) return std::nullopt;
  std::string_view rest = text.substr(kPrefix.size());
  ChainHead h;
  auto writer = writer_from_hex(next_field(rest));
  auto epoch = number<std::uint64_t>(next_field(rest));
  auto seq = number<std::uint64_t>(next_field(rest));
  auto partition = number<std::int32_t>(next_field(rest));
  auto offset = number<std::int64_t>(next_field(rest));
  const bool last_field = rest.find(':') == std::string_view::npos;
  auto base = number<std::int64_t>(rest);
  if (!writer || !epoch || !seq || !partition || !offset || !base || !last_field)
    return std::nullopt;
  if (*base > *offset) return std::nullopt;
  h.id = RecordId{*writer, *epoch, *seq};
  h.partition = *partition;
  h.offset = *offset;
  h.base = *base;
  return h;
}

Result<std::optional<ChainHead>> read_commit_metadata(std::string_view text) {
  if (!is_commit_metadata(text)) return std::optional<ChainHead>{};
  if (auto h = parse_commit_metadata(text)) return std::optional<ChainHead>{*h};
  std::string quoted(text.substr(0, 100));  // from outside: printable ASCII only in a log
  for (auto& c : quoted)
    if (c < 0x20 || c > 0x7e) c = '?';
  return Error{
      "changelog: malformed commit metadata \"" + quoted +
          "\" (kilter1 but not kilter1:<writer>:<epoch>:<seq>:<partition>:<offset>:<base>)",
      Errc::corruption};
}

}  // namespace kilter::changelog

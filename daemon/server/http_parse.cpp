#include "daemon/server/http_parse.h"

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace kilter::daemon::http_parse {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// Calls f on each non-empty piece of s between separators; stops at the first false.
template <class F>
bool for_each_piece(std::string_view s, char sep, F f) {
  for (std::size_t pos = 0; pos <= s.size();) {
    auto end = std::min(s.find(sep, pos), s.size());
    if (end > pos && !f(s.substr(pos, end - pos))) return false;
    pos = end + 1;
  }
  return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(plus_is_space && in[i] == '+' ? ' ' : in[i]);
      continue;
    }
    unsigned byte = 0;
    const char* hex = in.data() + i + 1;
    auto [end, err] =
        std::from_chars(hex, hex + std::min<std::size_t>(2, in.size() - i - 1), byte, 16);
    if (err != std::errc{} || end != hex + 2) return std::nullopt;
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// Fills target, path, segments and query; false when the target is unusable.
bool parse_target(std::string_view target, HttpRequest& out) {
  out.target = std::string(target);
  std::string_view t = target;
  if (auto hash = t.find('#'); hash != std::string_view::npos) t = t.substr(0, hash);
  if (iequals(t.substr(0, 7), "http://") || iequals(t.substr(0, 8), "https://")) {
    // Absolute form (RFC 9112 3.2.2): servers must accept it; the authority is ignored.
    auto rest = t.find_first_of("/?", t.find("://") + 3);
    t = rest == std::string_view::npos ? std::string_view{} : t.substr(rest);
  } else if (t.empty() || t.front() != '/') {
    return false;  // "*" and authority form: nothing here serves them
  }
  auto qpos = t.find('?');
  std::string_view raw_path = t.substr(0, qpos);
  std::string_view raw_query = qpos == std::string_view::npos ? "" : t.substr(qpos + 1);
  if (raw_path.empty()) raw_path = "/";

  auto path = percent_decode(raw_path, false);
  if (!path) return false;
  out.path = std::move(*path);
  // Split before decoding, so an encoded '/' stays inside its segment.
  bool segments_ok = for_each_piece(raw_path, '/', [&](std::string_view piece) {
    auto seg = percent_decode(piece, false);
    if (seg) out.segments.push_back(std::move(*seg));
    return seg.has_value();
  });
  return segments_ok && for_each_piece(raw_query, '&', [&](std::string_view pair) {
           auto eq = pair.find('=');
           auto key = percent_decode(pair.substr(0, eq), true);
           auto value =
               percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
           if (key && value) out.query[std::move(*key)] = std::move(*value);
           return key && value;
         });
}

// Framing belongs to the server, and a CR or LF from a handler would split the
// response; such headers are not sent.
bool sendable_header(std::string_view name, std::string_view value) {
  static constexpr std::string_view kTokenPunct = "!#$%&'*+-.^_`|~";
  if (iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
      iequals(name, "connection")) {
    return false;
  }
  return !name.empty() && value.find_first_of(std::string_view("\r\n\0", 3)) == name.npos &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) ||
                  kTokenPunct.find(c) != kTokenPunct.npos;
         });
}

Result<tcp::endpoint> parse_endpoint(std::string_view host_port) {
  auto fail = [&](std::string_view why) {
    return Error{fmt::format("http: invalid listen address \"{}\": {}", host_port, why)};
  };
  auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos) return fail("expected host:port");
  std::string_view host = host_port.substr(0, colon);
  std::string_view port_text = host_port.substr(colon + 1);
  bool bracketed = false;
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return fail("unterminated '['");
    host = host.substr(1, host.size() - 2);
    bracketed = true;
  } else if (host.find(':') != std::string_view::npos) {
    return fail("IPv6 addresses need brackets, as in [::1]:8080");
  }
  if (host.empty()) return fail("missing host");
  unsigned port = 0;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (err != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return fail("port must be a number from 0 to 65535");
  }
  if (host == "localhost") host = "127.0.0.1";
  beast::error_code ec;
  auto addr = asio::ip::make_address(std::string(host), ec);
  if (ec || (bracketed && !addr.is_v6())) return fail("host must be a numeric IP address");
  return tcp::endpoint(addr, static_cast<std::uint16_t>(port));
}

}  // namespace kilter::daemon::http_parse

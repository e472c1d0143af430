// Internal to daemon/server/http_server.cpp: parsing of request targets and listen
// addresses, and the header check, kept apart so the server file stays small.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "daemon/server/http_server.h"

namespace kilter::daemon::http_parse {

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);
bool iequals(std::string_view a, std::string_view b);
// Fills target, path, segments and query; false when the target is unusable.
bool parse_target(std::string_view target, HttpRequest& out);
// Framing belongs to the server, and a CR or LF from a handler would split the
// response; such headers are not sent.
bool sendable_header(std::string_view name, std::string_view value);
// "127.0.0.1:9464", "[::1]:0", "localhost:8080": numeric addresses only.
Result<boost::asio::ip::tcp::endpoint> parse_endpoint(std::string_view host_port);

}  // namespace kilter::daemon::http_parse

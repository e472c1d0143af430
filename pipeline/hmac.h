// HMAC-SHA256, for signing webhook bodies so that receivers can check their origin.
#pragma once

#include <string>
#include <string_view>

namespace kilter::pipeline {

// 64 lower-case hex digits. Any key length, empty included (RFC 2104). Empty when
// OpenSSL refuses (out of memory, or a FIPS provider rejecting a short key): a
// caller must not send an unsigned body as if it were signed.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace kilter::pipeline

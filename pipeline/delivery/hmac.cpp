#include "pipeline/delivery/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

#include "common/base64.h"

namespace kilter::pipeline {

namespace {

std::string to_hex(const unsigned char* data, unsigned int length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

// The raw HMAC-SHA256 of message; empty when OpenSSL refuses.
std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // HMAC() takes the key length as an int; a longer key is replaced by its hash,
  // which is what RFC 2104 does with any key longer than the block anyway.
  unsigned char hashed_key[EVP_MAX_MD_SIZE];
  unsigned int hashed_length = 0;
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    if (!EVP_Digest(key.data(), key.size(), hashed_key, &hashed_length, EVP_sha256(), nullptr))
      return {};
    key = std::string_view(reinterpret_cast<const char*>(hashed_key), hashed_length);
  }
  // A null key pointer is refused by some OpenSSL 3 releases even with length 0.
  static const unsigned char kEmpty = 0;
  const void* key_data = key.empty() ? static_cast<const void*>(&kEmpty) : key.data();
  if (!HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
            &length))
    return {};
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  auto mac = hmac_sha256(key, message);
  return to_hex(reinterpret_cast<const unsigned char*>(mac.data()),
                static_cast<unsigned int>(mac.size()));
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr)) return {};
  return to_hex(digest, length);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (!is_padded_base64(text)) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes: drop them.
  const std::size_t pad = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  if (text.empty()) return std::string();
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::optional<std::string> webhook_key(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (!secret.starts_with(kPrefix)) return std::string(secret);
  return base64_decode(secret.substr(kPrefix.size()));
}

std::string standard_webhook_signature(std::string_view key, std::string_view id,
                                       std::int64_t timestamp_seconds, std::string_view body) {
  std::string content;
  content.reserve(id.size() + body.size() + 24);
  content.append(id).append(".").append(std::to_string(timestamp_seconds)).append(".");
  content.append(body);
  auto mac = hmac_sha256(key, content);
  if (mac.empty()) return {};
  return "v1," + base64_encode(mac);
}

}  // namespace kilter::pipeline

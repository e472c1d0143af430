#include "pipeline/hmac.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

namespace kilter::pipeline {

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
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

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

}  // namespace kilter::pipeline

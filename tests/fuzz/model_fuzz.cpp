// A model file from arbitrary bytes (pipeline/classify/model): loading gives a model or
// an Error, never a crash or a huge allocation. The bytes are tried as they are and
// with their checksum rewritten (so mutations reach the parser behind the checksum);
// a model that loads predicts finite logits for a few tokens and re-encodes to the
// same bytes.
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/hash.h"
#include "pipeline/classify/model.h"
#include "tests/fuzz/fuzz_input.h"

using kilter::pipeline::Model;

namespace {

void check(std::span<const std::byte> bytes) {
  auto m = Model::load(bytes);
  if (!m.ok()) {
    FUZZ_CHECK(!m.error().message.empty());
    return;
  }
  std::vector<std::string_view> toks = {"sale", "été", "🎉", "__kind_reply", "zz"};
  auto l = m->logits(toks);
  for (float v : l) FUZZ_CHECK(std::isfinite(v));
  auto p = m->probabilities(l);
  FUZZ_CHECK(std::abs(p[0] + p[1] + p[2] - 1) < 1e-3);
  auto again = kilter::pipeline::encode_model(m->data());
  FUZZ_CHECK(again.size() == bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> bytes(reinterpret_cast<const std::byte*>(data),
                               reinterpret_cast<const std::byte*>(data) + size);
  check(bytes);
  if (bytes.size() >= 32) {
    // The size and checksum a writer would have put: what is left is the parser's.
    auto n = static_cast<std::uint64_t>(bytes.size());
    for (int i = 0; i < 8; ++i) bytes[16 + i] = static_cast<std::byte>(n >> (8 * i));
    auto body = std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size() - 8);
    auto h = kilter::hash64(body, 0x4B494C544D4F444Cull);
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<std::byte>(h >> (8 * i));
    check(bytes);
  }
  return 0;
}

// A changelog body from arbitrary bytes (storage/portable): the first byte picks
// the format expected (delta or snapshot chunk), the rest is the body. Reading
// gives the ops or an Errc::corruption error, never a crash or a huge
// allocation; ops that read rebuild (BodyBuilder) into a body that reads back
// to the same ops.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/portable.h"
#include "tests/fuzz/fuzz_input.h"

namespace portable = kilter::storage::portable;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto format = (data[0] & 1) ? portable::kChunkV1 : portable::kDeltaV1;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  portable::BodyReader reader;
  auto r = reader.check(body, format);
  if (!r.ok()) {
    FUZZ_CHECK(r.error().code == kilter::Errc::corruption);
    FUZZ_CHECK(!r.error().message.empty());
    return 0;
  }
  const auto ops = reader.ops();
  std::string again;
  portable::BodyBuilder builder;
  builder.begin(again, format);
  for (const auto& op : ops) builder.add(again, op.family, op.kind, op.key, op.value);
  builder.finish(again);
  FUZZ_CHECK(again.size() <= body.size());
  portable::BodyReader second;
  FUZZ_CHECK(second.check(again, format).ok());
  FUZZ_CHECK(second.ops().size() == ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    FUZZ_CHECK(second.ops()[i].family == ops[i].family);
    FUZZ_CHECK(second.ops()[i].kind == ops[i].kind);
    FUZZ_CHECK(second.ops()[i].key == ops[i].key);
    FUZZ_CHECK(second.ops()[i].value == ops[i].value);
  }
  return 0;
}

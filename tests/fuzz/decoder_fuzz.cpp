// The event decoder on arbitrary bytes: every input is an event or a reason, never a
// crash, and decoding in place (with simdjson's padding readable) gives the same
// outcome and the same fields as decoding from a copy.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "pipeline/ingest/decoder.h"
#include "tests/fuzz/fuzz_input.h"

using kilter::Event;
using kilter::pipeline::DecodeOutcome;
using kilter::pipeline::Decoder;

namespace {

void same(const DecodeOutcome& a, const Event& ea, const DecodeOutcome& b, const Event& eb) {
  FUZZ_CHECK(a.ok == b.ok);
  if (!a.ok) {
    FUZZ_CHECK(a.reason == b.reason);
    return;
  }
  FUZZ_CHECK(ea.type == eb.type && ea.id == eb.id && ea.account == eb.account && ea.ts == eb.ts);
  FUZZ_CHECK(ea.post_id == eb.post_id && ea.text == eb.text && ea.count == eb.count);
  FUZZ_CHECK(ea.followers == eb.followers && ea.hashtags.size() == eb.hashtags.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Decoder large(64 * 1024);  // the default max_event_bytes
  static Decoder small(64);
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // Copied into the decoder's padded buffer (capacity == size).
  Event copied;
  auto a = large.decode(input, copied);
  if (!a.ok) (void)kilter::pipeline::to_string(a.reason);

  // In place: the input followed by readable padding, as the sources hand it out.
  std::string padded(input);
  padded.append(Decoder::padding(), '\0');
  static Decoder other(64 * 1024);
  Event in_place;
  auto b = other.decode(std::string_view(padded.data(), size), padded.size(), in_place);
  same(a, copied, b, in_place);

  Event bounded;
  auto c = small.decode(input, bounded);
  if (size > 64) FUZZ_CHECK(!c.ok);
  return 0;
}

// The changelog's readers from arbitrary bytes (pipeline/changelog): a record decodes or
// is an Error (the bytes are also tried with their checksum rewritten, so mutations reach
// the header checks behind it) and a record that decodes encodes back to the same
// bytes; commit metadata parses or not, and what parses formats back to the same text;
// a chain resolved over made-up headers never crashes, applies records in offset order,
// each linked to the one before, from the snapshot at the base (or the local head) to the
// named head.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/changelog/chain.h"
#include "pipeline/changelog/commit_metadata.h"
#include "pipeline/changelog/record.h"
#include "tests/fuzz/fuzz_input.h"

namespace cl = kilter::changelog;

namespace {

void check_record(std::string_view bytes) {
  auto v = cl::decode_record(bytes);
  if (!v.ok()) {
    FUZZ_CHECK(v.error().code == kilter::Errc::corruption);
    return;
  }
  std::string again;
  cl::encode_record(v->header, v->body, again);
  FUZZ_CHECK(again == bytes);
}

void check_chain(const std::uint8_t* data, std::size_t size) {
  kilter::fuzz::Input in(data, size);
  std::vector<cl::ChainRecord> records;
  std::int64_t offset = 0;
  const auto n = in.range(0, 24);
  auto id = [&] {
    cl::RecordId r;
    r.writer.fill(static_cast<std::uint8_t>(in.range(0, 2)));
    r.epoch = static_cast<std::uint64_t>(in.range(0, 2));
    r.seq = static_cast<std::uint64_t>(in.range(0, 6));
    return r;
  };
  for (std::int64_t i = 0; i < n; ++i) {
    cl::ChainRecord r;
    offset += in.range(1, 3);
    r.offset = offset;
    r.header.kind = in.flag() ? cl::RecordKind::snapshot : cl::RecordKind::delta;
    r.header.last_chunk = r.header.kind == cl::RecordKind::snapshot && in.flag();
    r.header.id = id();
    if (in.flag()) r.header.prev = id();
    r.header.base = in.range(-1, offset);
    r.header.from = in.range(0, 8);
    r.header.to = r.header.from + in.range(0, 3);
    records.push_back(r);
  }
  cl::ChainHead head;
  head.id = id();
  head.offset = in.range(0, offset + 1);
  head.base = in.range(0, head.offset);
  std::optional<cl::LocalHead> local;
  if (in.flag()) local = cl::LocalHead{id(), in.range(0, 8)};
  auto chain = cl::resolve_chain(records, head, in.range(0, 12), local);
  if (!chain.ok()) return;
  std::int64_t last = -1;
  for (std::size_t k = 0; k < chain->order.size(); ++k) {
    const auto i = chain->order[k];
    FUZZ_CHECK(i < records.size());
    FUZZ_CHECK(records[i].offset > last);
    last = records[i].offset;
    // Each record follows the one before it in the order; the first starts the chain
    // (a snapshot) or follows the local head.
    const auto& prev = records[i].header.prev;
    if (k > 0)
      FUZZ_CHECK(prev == records[chain->order[k - 1]].header.id);
    else if (chain->continues_local)
      FUZZ_CHECK(local && prev == local->id);
    else
      FUZZ_CHECK(prev.none() && records[i].offset == head.base);
  }
  if (!chain->order.empty()) FUZZ_CHECK(last == head.offset);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  check_record(bytes);
  if (size >= 4) {
    std::string fixed(bytes);
    const auto crc = cl::crc32c(std::string_view(fixed).substr(0, size - 4));
    for (int i = 0; i < 4; ++i) fixed[size - 4 + i] = static_cast<char>(crc >> (8 * i));
    check_record(fixed);
  }
  if (auto h = cl::parse_commit_metadata(bytes))
    FUZZ_CHECK(cl::format_commit_metadata(*h) == bytes);
  check_chain(data, size);
  return 0;
}

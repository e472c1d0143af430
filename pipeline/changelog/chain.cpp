#include "pipeline/changelog/chain.h"

#include <algorithm>

#include <fmt/format.h>

namespace kilter::changelog {
namespace {

Error broken(std::string message) {
  return Error{"changelog chain: " + message, Errc::failed};
}

std::string describe(const RecordId& id) {
  return fmt::format("{}/{}/{}", to_hex(id.writer).substr(0, 8), id.epoch, id.seq);
}

}  // namespace

Result<ResolvedChain> resolve_chain(std::span<const ChainRecord> records, const ChainHead& head,
                                    std::int64_t committed, const std::optional<LocalHead>& local) {
  const auto at =
      std::lower_bound(records.begin(), records.end(), head.offset,
                       [](const ChainRecord& r, std::int64_t off) { return r.offset < off; });
  if (at == records.end() || at->offset != head.offset || !(at->header.id == head.id))
    return broken(fmt::format("the head {} at offset {} is not in the changelog", describe(head.id),
                              head.offset));

  // Backwards from the head, in one pass over the records: each link is the latest
  // record before the linking one that carries the id it names and ends (in input
  // offsets) where the linking one starts. An id is unique when writers raise their epoch
  // as they should; a writer that reused one after a crash sent ids twice (records of its
  // earlier run, orphans of its later one), and the offsets tell them apart.
  ResolvedChain out;
  std::vector<std::size_t> back;  // head first
  std::size_t cur = static_cast<std::size_t>(at - records.begin());
  while (true) {
    const auto& r = records[cur];
    if (local && r.header.id == local->id) {
      out.continues_local = true;
      break;
    }
    back.push_back(cur);
    if (r.header.prev.none()) break;
    std::size_t i = cur;
    bool id_seen = false;
    for (; i > 0; --i) {
      const auto& c = records[i - 1].header;
      if (!(c.id == r.header.prev)) continue;
      if (c.to == r.header.from) break;
      id_seen = true;
    }
    if (i == 0) {
      // The local head may be further back than what was read: then the caller reads
      // from the base; otherwise the chain is broken.
      return broken(fmt::format(
          "record {} at offset {} follows {}, {}", describe(r.header.id), r.offset,
          describe(r.header.prev),
          id_seen ? "whose input offsets do not end where it starts" : "which is not before it"));
    }
    cur = i - 1;
  }
  std::reverse(back.begin(), back.end());

  // What the first record must follow on from.
  std::int64_t position = 0;
  std::size_t k = 0;
  if (out.continues_local) {
    position = local->position;
  } else {
    const auto& first = records[back.front()];
    if (first.header.kind != RecordKind::snapshot || first.offset != head.base)
      return broken(fmt::format("the chain starts at offset {}, not at its snapshot at {}",
                                first.offset, head.base));
    position = first.header.from;
    // The snapshot's chunks, up to the one marked last.
    while (k < back.size() && records[back[k]].header.kind == RecordKind::snapshot) {
      const auto& c = records[back[k]].header;
      if (c.from != position || c.to != position)
        return broken("a snapshot's chunks disagree on its position");
      ++k;
      if (c.last_chunk) break;
    }
    if (!records[back[k - 1]].header.last_chunk)
      return broken(fmt::format("the snapshot at offset {} is incomplete", head.base));
  }
  for (; k < back.size(); ++k) {
    const auto& h = records[back[k]].header;
    if (h.kind != RecordKind::delta)
      return broken(
          fmt::format("a snapshot chunk at offset {} inside the chain", records[back[k]].offset));
    if (h.from != position)
      return broken(fmt::format("record at offset {} covers input offsets from {}, expected {}",
                                records[back[k]].offset, h.from, position));
    position = h.to;
  }
  if (position != committed)
    return broken(fmt::format("the chain ends at input offset {}, the group committed {}", position,
                              committed));
  out.order = std::move(back);
  return out;
}

}  // namespace kilter::changelog

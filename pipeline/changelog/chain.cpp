#include "pipeline/changelog/chain.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace kilter::changelog {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

struct IdHash {
  std::size_t operator()(const RecordId& id) const {
    std::uint64_t h = 1469598103934665603ull;
    for (auto b : id.writer) h = (h ^ b) * 1099511628211ull;
    h = (h ^ id.epoch) * 1099511628211ull;
    return static_cast<std::size_t>((h ^ id.seq) * 1099511628211ull);
  }
};

Error broken(std::string message) {
  return Error{"changelog chain: " + message, Errc::failed};
}

std::string describe(const RecordId& id) {
  return fmt::format("{}/{}/{}", to_hex(id.writer).substr(0, 8), id.epoch, id.seq);
}

}  // namespace

Result<ResolvedChain> resolve_chain(std::span<const ChainRecord> records, const ChainHead& head,
                                    std::int64_t committed, const std::optional<LocalHead>& local) {
  // Each id's last record, and for each record the one before it with the same id: an
  // id stored twice (a writer restarted without raising its epoch, an orphan then the
  // accepted record) links to the nearest record before the one that names it.
  std::unordered_map<RecordId, std::size_t, IdHash> by_id;
  by_id.reserve(records.size());
  std::vector<std::size_t> same_before(records.size(), kNone);
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto [it, fresh] = by_id.try_emplace(records[i].header.id, i);
    if (!fresh) {
      same_before[i] = it->second;
      it->second = i;
    }
  }
  // The nearest record before offset `before` with id `id`, or kNone.
  auto find_before = [&](const RecordId& id, std::int64_t before) {
    const auto it = by_id.find(id);
    std::size_t i = it == by_id.end() ? kNone : it->second;
    while (i != kNone && records[i].offset >= before) i = same_before[i];
    return i;
  };

  const auto at =
      std::lower_bound(records.begin(), records.end(), head.offset,
                       [](const ChainRecord& r, std::int64_t off) { return r.offset < off; });
  if (at == records.end() || at->offset != head.offset || !(at->header.id == head.id))
    return broken(fmt::format("the head {} at offset {} is not in the changelog", describe(head.id),
                              head.offset));

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
    const std::size_t prev = find_before(r.header.prev, r.offset);
    if (prev == kNone) {
      // The local head may be further back than what was read: then the caller reads
      // from the base; otherwise the chain is broken.
      return broken(fmt::format("record {} at offset {} follows {}, which is not before it",
                                describe(r.header.id), r.offset, describe(r.header.prev)));
    }
    cur = prev;
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

#include "pipeline/changelog/restore.h"

#include <vector>

#include <fmt/format.h>

namespace kilter::changelog {
namespace {

struct Range {
  std::vector<ChainRecord> records;
  std::vector<std::string> bodies;  // by record
};

// The records of `key` in [from, head.offset] of the head's changelog partition.
Result<void> read_range(ChangelogReader& reader, const RestoreRequest& req, std::int64_t from,
                        Range& out, RestoreStats& stats, Millis timeout,
                        RestoreProgress* progress) {
  out.records.clear();
  out.bodies.clear();
  return reader.read(
      req.head.partition, from, req.head.offset + 1,
      [&](const LogRecord& r) {
        ++stats.records_read;
        stats.bytes_read += r.key.size() + r.value.size();
        if (progress) {
          progress->records_read.fetch_add(1, std::memory_order_relaxed);
          progress->bytes_read.fetch_add(r.key.size() + r.value.size(), std::memory_order_relaxed);
        }
        if (r.key != req.key) return true;
        auto v = decode_record(r.value);
        if (!v.ok()) {
          ++stats.corrupt;  // if the chain needed it, resolving says so
          return true;
        }
        out.records.push_back({r.offset, v->header});
        out.bodies.emplace_back(v->body);
        return true;
      },
      timeout);
}

Result<void> apply(const Range& range, const ResolvedChain& chain, RestoreTarget& target,
                   RestoreStats& stats, RestoreProgress* progress) {
  if (!chain.continues_local) {
    if (auto r = target.reset(); !r.ok()) return r;
  }
  for (auto i : chain.order) {
    const auto& body = range.bodies[i];
    auto r = range.records[i].header.kind == RecordKind::snapshot
                 ? target.apply_snapshot_chunk(body)
                 : target.apply_delta(body);
    if (!r.ok()) return r;
    ++stats.records_applied;
    stats.bytes_applied += body.size();
    if (progress) {
      progress->records_applied.fetch_add(1, std::memory_order_relaxed);
      progress->bytes_applied.fetch_add(body.size(), std::memory_order_relaxed);
    }
  }
  return {};
}

}  // namespace

Result<RestoreStats> restore_partition(ChangelogReader& reader, const RestoreRequest& req,
                                       RestoreTarget& target, Millis timeout,
                                       RestoreProgress* progress) {
  RestoreStats stats;
  if (req.local && req.local->id == req.head.id) return stats;  // already there
  // The range must be in the changelog partition: the snapshot not yet dropped by
  // retention, the head before its end (metadata is text from anyone in the group; a
  // topic recreated under the same name starts its offsets again).
  auto bounds = reader.bounds(req.head.partition, timeout);
  if (!bounds.ok()) return bounds.error();
  if (req.head.offset >= bounds->high)
    return Error{fmt::format("changelog restore of {}: the head at offset {} is past the end of "
                             "changelog partition {} (next offset {}): another topic's, or a "
                             "topic recreated",
                             req.key, req.head.offset, req.head.partition, bounds->high),
                 Errc::failed};
  if (req.head.base < bounds->low)
    return Error{fmt::format("changelog restore of {}: the chain's snapshot at offset {} of "
                             "changelog partition {} is gone (the oldest kept is {}): the "
                             "topic's retention is shorter than its snapshots need",
                             req.key, req.head.base, req.head.partition, bounds->low),
                 Errc::failed};
  Range range;
  // The records after the local head, when it is on the chain: read from it only.
  if (req.local && req.local->partition == req.head.partition &&
      req.local->offset >= req.head.base && req.local->offset < req.head.offset) {
    if (auto r = read_range(reader, req, req.local->offset, range, stats, timeout, progress);
        !r.ok())
      return r.error();
    auto chain = resolve_chain(range.records, req.head, req.committed,
                               LocalHead{req.local->id, req.local_position});
    if (chain.ok() && chain->continues_local) {
      stats.kind = RestoreStats::Kind::partial;
      if (auto r = apply(range, *chain, target, stats, progress); !r.ok()) return r.error();
      if (auto r = target.finish(req.head, req.committed); !r.ok()) return r.error();
      return stats;
    }
    // Not on the chain (another owner's branch, or an older snapshot): from the start.
  }
  const auto corrupt_before = stats.corrupt;
  if (auto r = read_range(reader, req, req.head.base, range, stats, timeout, progress); !r.ok())
    return r.error();
  auto chain = resolve_chain(range.records, req.head, req.committed);
  if (!chain.ok()) {
    // Say so when records of the partition did not decode: the missing link may be one.
    const auto corrupt = stats.corrupt - corrupt_before;
    if (corrupt == 0) return chain.error();
    return Error{fmt::format("{} ({} record{} of the partition did not decode: corrupt)",
                             chain.error().message, corrupt, corrupt == 1 ? "" : "s"),
                 chain.error().code};
  }
  stats.kind = RestoreStats::Kind::full;
  if (auto r = apply(range, *chain, target, stats, progress); !r.ok()) return r.error();
  if (auto r = target.finish(req.head, req.committed); !r.ok()) return r.error();
  return stats;
}

}  // namespace kilter::changelog

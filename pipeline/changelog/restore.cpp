#include "pipeline/changelog/restore.h"

#include <vector>

namespace kilter::changelog {
namespace {

struct Range {
  std::vector<ChainRecord> records;
  std::vector<std::string> bodies;  // by record
  // The first record of this partition in the range that did not decode, and why.
  std::int64_t corrupt_offset = -1;
  std::string corrupt_why;
};

// "<key>: <message>" with the code kept: which input partition a restore error is about.
Error about(const RestoreRequest& req, const Error& e) {
  return Error{"changelog restore of " + req.key + ": " + e.message, e.code};
}

// A chain that does not resolve while a record of this partition in the range is
// corrupt: the corrupt record is the likely break, and it is corruption, not a gap.
Error resolve_error(const RestoreRequest& req, const Range& range, const Error& e) {
  if (range.corrupt_offset < 0) return about(req, e);
  return Error{"changelog restore of " + req.key + ": the record at offset " +
                   std::to_string(range.corrupt_offset) + " of changelog partition " +
                   std::to_string(req.head.partition) + " does not decode (" + range.corrupt_why +
                   "), and the chain breaks: " + e.message,
               Errc::corruption};
}

// The records of `key` in [from, head.offset] of the head's changelog partition.
Result<void> read_range(ChangelogReader& reader, const RestoreRequest& req, std::int64_t from,
                        Range& out, RestoreStats& stats, Millis timeout) {
  out.records.clear();
  out.bodies.clear();
  out.corrupt_offset = -1;
  return reader.read(
      req.head.partition, from, req.head.offset + 1,
      [&](const LogRecord& r) {
        ++stats.records_read;
        stats.bytes_read += r.key.size() + r.value.size();
        if (r.key != req.key) return true;
        auto v = decode_record(r.value);
        if (!v.ok()) {
          ++stats.corrupt;  // if the chain needed it, resolving says so
          if (out.corrupt_offset < 0) {
            out.corrupt_offset = r.offset;
            out.corrupt_why = v.error().message;
          }
          return true;
        }
        out.records.push_back({r.offset, v->header});
        out.bodies.emplace_back(v->body);
        return true;
      },
      timeout);
}

Result<void> apply(const Range& range, const ResolvedChain& chain, RestoreTarget& target,
                   RestoreStats& stats, const RestoreProgress& progress) {
  const std::uint64_t rows_before = target.rows_applied();
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
    stats.rows_applied = target.rows_applied() - rows_before;
    if (progress) progress(stats);
  }
  return {};
}

}  // namespace

Result<RestoreStats> restore_partition(ChangelogReader& reader, const RestoreRequest& req,
                                       RestoreTarget& target, Millis timeout,
                                       const RestoreProgress& progress) {
  RestoreStats stats;
  if (req.local && req.local->id == req.head.id) return stats;  // already there
  // Retention may have taken the chain's snapshot: a clear error before anything is read
  // (a stale low bound is lower, never higher: the read then says it).
  auto bounds = reader.bounds(req.head.partition, timeout);
  if (!bounds.ok()) return about(req, bounds.error());
  if (req.head.base < bounds->low)
    return about(req, Error{"the chain's snapshot at offset " + std::to_string(req.head.base) +
                                " of changelog partition " + std::to_string(req.head.partition) +
                                " is gone (retention: oldest kept " + std::to_string(bounds->low) +
                                "); the partition cannot be restored from the changelog",
                            Errc::failed});
  Range range;
  // The records after the local head, when it is on the chain: read from it only.
  if (req.local && req.local->partition == req.head.partition &&
      req.local->offset >= req.head.base && req.local->offset < req.head.offset) {
    if (auto r = read_range(reader, req, req.local->offset, range, stats, timeout); !r.ok())
      return about(req, r.error());
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
  if (auto r = read_range(reader, req, req.head.base, range, stats, timeout); !r.ok())
    return about(req, r.error());
  auto chain = resolve_chain(range.records, req.head, req.committed);
  if (!chain.ok()) return resolve_error(req, range, chain.error());
  stats.kind = RestoreStats::Kind::full;
  if (auto r = apply(range, *chain, target, stats, progress); !r.ok()) return r.error();
  if (auto r = target.finish(req.head, req.committed); !r.ok()) return r.error();
  return stats;
}

}  // namespace kilter::changelog

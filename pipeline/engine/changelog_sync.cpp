#include "pipeline/engine/changelog_sync.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace kilter::pipeline {

changelog::ChainHead to_changelog(const storage::ChainHead& h, std::int32_t changelog_partition) {
  return changelog::ChainHead{h.id, changelog_partition, h.offset, h.base};
}

storage::ChainHead to_storage(const changelog::ChainHead& h) {
  return storage::ChainHead{h.id, h.offset, h.base};
}

ChangelogSync::ChangelogSync(ChangelogOptions opts, storage::StateStore& store, EngineStats& stats)
    : opts_(opts), store_(store), stats_(stats) {
  if (enabled()) {
    writer_id_ = changelog::writer_from_hex(store_.instance_id());
    // The store makes its id as 32 hex digits: anything else is a bug.
    if (!writer_id_) std::abort();
  }
}

ChainAddress ChangelogSync::address(std::string_view topic, std::int32_t source_partition) const {
  return ChainAddress{changelog::record_key(topic, source_partition),
                      enabled() ? source_partition % opts_.writer->partitions() : 0};
}

void ChangelogSync::assigned(Partition p, ChainAddress address) {
  addresses_[p] = std::move(address);
}

void ChangelogSync::forget(Partition p) {
  chains_.erase(p);
  snapshot_at_.erase(p);
}

bool ChangelogSync::snapshot_due(Partition p, const changelog::PartitionChain& c,
                                 TimePoint now) const {
  if (c.snapshot_due()) return true;
  auto it = snapshot_at_.find(p);
  return it != snapshot_at_.end() && now - it->second >= opts_.snapshot_max_age;
}

const ChainAddress* ChangelogSync::address_of(Partition p) const {
  auto it = addresses_.find(p);
  return it == addresses_.end() ? nullptr : &it->second;
}

changelog::PartitionChain* ChangelogSync::chain(PartitionState& ps, TimePoint now) {
  if (auto it = chains_.find(ps.id); it != chains_.end()) return it->second.get();
  const auto* addr = address_of(ps.id);
  if (addr == nullptr) return nullptr;
  // The chain continues from the stored state (what the batch being built is a
  // delta of). A partition with nothing stored yet gets its chain once its
  // first batch is written.
  auto stored = store_.meta(ps.id);
  if (!stored) return nullptr;
  std::optional<changelog::ChainHead> head;
  if (stored->chain) head = to_changelog(*stored->chain, addr->changelog_partition);
  auto c = std::make_unique<changelog::PartitionChain>(addr->key, addr->changelog_partition,
                                                       *writer_id_, stored->epoch + 1, head,
                                                       stored->position.value(), opts_.policy);
  // The epoch is stored before any record of it is sent: ids never repeat,
  // even after a crash.
  auto m = *stored;
  m.epoch = c->epoch();
  auto b = store_.new_batch();
  b->put_meta(ps.id, m);
  if (auto r = store_.commit(*b, true); !r) return nullptr;  // the engine's write fails next
  ps.meta.epoch = c->epoch();
  ps.meta_dirty = true;
  snapshot_at_[ps.id] = now;  // its snapshot's age is not known: counted from now
  return chains_.emplace(ps.id, std::move(c)).first->second.get();
}

bool ChangelogSync::needs_store(Partitions& partitions, TimePoint now) const {
  if (!enabled()) return false;
  for (auto& [p, ps] : partitions.all()) {
    auto it = chains_.find(p);
    if (it == chains_.end() ? addresses_.contains(p) : snapshot_due(p, *it->second, now))
      return true;
  }
  return false;
}

Result<void> ChangelogSync::prepare(Partitions& partitions, TimePoint now) {
  if (!enabled()) return ok();
  order_.clear();
  for (auto& [p, ps] : partitions.all()) {
    auto* c = chain(*ps, now);
    if (c == nullptr || !snapshot_due(p, *c, now)) continue;
    chunks_.clear();
    std::size_t bytes = 0;
    auto exported = store_.export_partition(p, opts_.policy.chunk_bytes,
                                            [&](std::string_view chunk) -> Result<void> {
                                              chunks_.emplace_back(chunk);
                                              bytes += chunk.size();
                                              return ok();
                                            });
    if (!exported) return fail(exported.error());
    if (auto fits = c->check_snapshot_size(bytes); !fits) {
      ++stats_.changelog_snapshots_refused;
      if (!logged_oversize_)
        spdlog::error(
            "changelog: {} (see kilter_changelog_snapshots_total{{result=\"refused\"}}); the "
            "partition's "
            "restore range grows until a snapshot fits",
            fits.error().message);
      logged_oversize_ = true;
      continue;
    }
    for (std::size_t i = 0; i < chunks_.size(); ++i) {
      auto record = c->frame_snapshot_chunk(chunks_[i], i + 1 == chunks_.size());
      if (auto r = append(*c, record); !r) return fail(r.error());
    }
    ++stats_.changelog_snapshots;
    snapshot_at_[p] = now;
  }
  // A snapshot is sent before any delta is linked to it.
  return flush();
}

Result<void> ChangelogSync::flush() {
  if (order_.empty()) return ok();
  auto offsets = opts_.writer->flush(opts_.flush_timeout);
  if (!offsets) return fail(offsets.error());
  if (offsets->size() != order_.size()) std::abort();  // the port's contract
  std::map<changelog::PartitionChain*, std::vector<std::int64_t>> by_chain;
  for (std::size_t i = 0; i < order_.size(); ++i) by_chain[order_[i]].push_back((*offsets)[i]);
  for (auto& [c, offs] : by_chain) c->sent(offs);
  stats_.changelog_records += order_.size();
  order_.clear();
  return ok();
}

Result<void> ChangelogSync::append(changelog::PartitionChain& c, std::string_view record) {
  if (auto r = opts_.writer->append(c.changelog_partition(), c.key(), record); !r) return r;
  order_.push_back(&c);
  stats_.changelog_bytes += record.size() + c.key().size();
  return ok();
}

bool ChangelogSync::answered() {
  return order_.empty() || opts_.writer->settled();
}

Result<void> ChangelogSync::finish_send() {
  return flush();
}

Result<void> ChangelogSync::send(Partitions& partitions, storage::Batch& batch, bool wait) {
  if (!enabled()) return ok();
  std::optional<Error> failed;
  auto framed = [&](PartitionState& ps, changelog::PartitionChain& c, std::string_view body) {
    // A chain starts from a snapshot in the partition it writes to: one refused
    // (too large) leaves the partition without a changelog until one fits.
    if (!c.head() || c.head()->partition != c.changelog_partition()) return;
    auto record = c.frame_delta(c.position(), ps.meta.position.value(), body);
    if (auto r = append(c, record); !r && !failed) failed = r.error();
  };
  done_.clear();
  auto r = store_.partition_deltas(batch, [&](Partition p, std::string_view body) {
    auto* ps = partitions.find(p);
    if (ps == nullptr) return;
    // prepare() made the chains of the partitions that have stored state.
    auto it = chains_.find(p);
    if (it == chains_.end()) return;
    framed(*ps, *it->second, body);
    done_.push_back(p);
  });
  if (!r) return fail(r.error());
  // A position that moved with nothing stored for it still moves the chain: a
  // restore checks that the chain ends at the committed offset.
  for (auto& [p, ps] : partitions.all()) {
    if (std::find(done_.begin(), done_.end(), p) != done_.end()) continue;
    auto it = chains_.find(p);
    if (it == chains_.end() || ps->meta.position.value() == it->second->position()) continue;
    framed(*ps, *it->second, {});
  }
  if (failed) return fail(*failed);
  if (!wait) return ok();
  return flush();
}

Error ChangelogSync::fail(Error e) {
  abandon();
  ++stats_.changelog_send_failures;
  return Error{fmt::format("changelog: {}", e.message), e.code};
}

std::string ChangelogSync::metadata(Partition p) const {
  auto it = chains_.find(p);
  if (it == chains_.end()) return {};
  auto head = it->second->pending_head();
  return head ? changelog::format_commit_metadata(*head) : std::string{};
}

bool ChangelogSync::pending(Partition p) const {
  auto it = chains_.find(p);
  return it != chains_.end() && it->second->pending_head().has_value();
}

void ChangelogSync::accepted(Partitions& partitions, storage::Batch& batch,
                             const std::map<Partition, storage::PartitionMeta>* drained) {
  for (auto& [p, c] : chains_) {
    if (!c->pending_head()) continue;
    c->accepted();
    if (auto* ps = partitions.find(p)) {
      ps->meta.chain = to_storage(*c->head());
      const storage::PartitionMeta* then = &ps->meta;
      if (drained != nullptr)
        if (auto it = drained->find(p); it != drained->end()) then = &it->second;
      auto m = *then;
      m.chain = ps->meta.chain;
      batch.put_meta(p, m);
    }
  }
}

void ChangelogSync::abandon() {
  for (auto& [p, c] : chains_) c->abandon();
  order_.clear();
}

}  // namespace kilter::pipeline

// The RocksDB store's portable state (issue 13): per-partition delta bodies of a
// batch, applying them, and exporting / importing a partition as snapshot
// chunks. Body format: portable.h; protocol and guarantees: storage/README.md.
#include <algorithm>
#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <rocksdb/sst_file_writer.h>

#include <rocksdb/write_batch.h>

#include "storage/keys.h"
#include "storage/portable.h"
#include "storage/rocks_batch.h"
#include "storage/rocks_cursor.h"
#include "storage/rocks_hooks.h"
#include "storage/rocks_store_impl.h"

namespace kilter::storage {

static_assert(static_cast<std::size_t>(portable::Family::buckets) == kBucketsCf);
static_assert(static_cast<std::size_t>(portable::Family::posts) == kPostsCf);
static_assert(static_cast<std::size_t>(portable::Family::post_details) == kDetailsCf);
static_assert(static_cast<std::size_t>(portable::Family::seen) == kSeenCf);
static_assert(static_cast<std::size_t>(portable::Family::alerts) == kAlertsCf);
static_assert(static_cast<std::size_t>(portable::Family::outbox) == kOutboxCf);
static_assert(static_cast<std::size_t>(portable::Family::meta) == kMetaCf);
static_assert(static_cast<std::size_t>(portable::Family::retention) == kRetentionCf);
static_assert(portable::kFamilies == kCfCount);

namespace {

constexpr std::size_t kKeptBodyBytes = std::size_t{64} << 10;  // larger buffers are not kept

// Size of an op in a body, for chunking (an upper bound of its framing).
std::size_t op_bytes(std::string_view key, std::string_view value) {
  return 1 + 10 + key.size() + 10 + value.size();
}

// Walks a built WriteBatch: each op into its partition's body.
class DeltaSplitter final : public rocksdb::WriteBatch::Handler {
 public:
  using Add = std::function<void(Partition, portable::Family, portable::OpKind, std::string_view,
                                 std::string_view)>;
  DeltaSplitter(const Handles& cf, Add add) : cf_(cf), add_(std::move(add)) {}

  rocksdb::Status PutCF(std::uint32_t id, const rocksdb::Slice& k,
                        const rocksdb::Slice& v) override {
    return op(id, portable::OpKind::put, k, v);
  }
  rocksdb::Status MergeCF(std::uint32_t id, const rocksdb::Slice& k,
                          const rocksdb::Slice& v) override {
    return op(id, portable::OpKind::merge, k, v);
  }
  rocksdb::Status DeleteCF(std::uint32_t id, const rocksdb::Slice& k) override {
    return op(id, portable::OpKind::del, k, {});
  }

 private:
  rocksdb::Status op(std::uint32_t id, portable::OpKind kind, const rocksdb::Slice& k,
                     const rocksdb::Slice& v) {
    std::size_t f = 1;
    while (f < kCfCount && cf_[f]->GetID() != id) ++f;
    if (f == kCfCount) fatal("changelog delta", "a write outside the partitioned families");
    std::string_view key = view(k);
    Partition p;
    if (!keys::read_partition(key, p)) corrupt("changelog delta key", view(k));
    add_(p, static_cast<portable::Family>(f), kind, key, view(v));
    return rocksdb::Status::OK();
  }

  const Handles& cf_;
  Add add_;
};

}  // namespace

// ---- Deltas

void RocksBatch::put_cutoffs(Partition p, const codec::Cutoffs& c) {
  keys::partition_key(key_, p);
  const auto at = begin_op();
  codec::encode(buf_, c);
  stage(kRetentionCf, Kind::put, at);
}

void RocksBatch::deltas(const std::function<void(Partition, std::string_view)>& fn) {
  exported_ = true;
  auto& wb = build();
  std::size_t used = 0;
  std::size_t last = 0;
  portable::BodyBuilder builder;
  DeltaSplitter split(cf_, [&](Partition p, portable::Family f, portable::OpKind k,
                               std::string_view key, std::string_view value) {
    // Ops come grouped by family, then by key (partition first): find the
    // partition's body, most often the one of the previous op.
    if (used == 0 || bodies_[last].p != p) {
      last = 0;
      while (last < used && bodies_[last].p != p) ++last;
      if (last == used) {
        if (used == bodies_.size()) bodies_.emplace_back();
        bodies_[used].p = p;
        bodies_[used].count = 0;
        builder.begin(bodies_[used].bytes, portable::kDeltaV1);
        ++used;
      }
    }
    auto& b = bodies_[last];
    builder.add(b.bytes, f, k, key, value);
    ++b.count;
  });
  check(wb.Iterate(&split), "changelog delta");
  std::sort(bodies_.begin(), bodies_.begin() + static_cast<std::ptrdiff_t>(used),
            [](const Body& a, const Body& b) { return a.p.value() < b.p.value(); });
  for (std::size_t i = 0; i < used; ++i) {
    auto& b = bodies_[i];
    for (int j = 0; j < 4; ++j)
      b.bytes[1 + static_cast<std::size_t>(j)] = static_cast<char>(b.count >> (8 * j));
    fn(b.p, b.bytes);
    // Read only by fn: a large body's buffer is not kept for the next export
    // (each of the engine's batches kept one per partition, ~17 MiB of the Kafka
    // run's peak RSS); a few allocations per partition and commit instead.
    if (b.bytes.capacity() > kKeptBodyBytes) std::string().swap(b.bytes);
  }
}

Result<void> RocksStore::partition_deltas(
    Batch& batch, const std::function<void(Partition, std::string_view)>& fn) {
  auto* b = dynamic_cast<RocksBatch*>(&batch);
  if (b == nullptr || b->owner() != this) return Error{"partition_deltas: batch of another store"};
  for (const auto& [p, c] : take_cutoffs()) b->put_cutoffs(Partition{p}, c);
  b->deltas(fn);
  return ok();
}

std::uint64_t RocksStore::stored_epoch(Partition p) {
  auto m = meta(p);
  return m ? m->epoch : 0;
}

void RocksStore::adopt_cutoffs(Partition p, const std::optional<codec::Cutoffs>& c) {
  {
    std::lock_guard pending(cutoffs_mu_);
    cutoffs_.erase(p.value());
  }
  if (c) retention_->set(p, *c);
}

Result<void> RocksStore::apply_deltas(Partition p, std::span<const std::string_view> bodies,
                                      const std::optional<ChainHead>& head, bool sync) {
  std::lock_guard lock(admin_mu_);
  portable::BodyReader reader;
  rocksdb::WriteBatch wb;
  std::string prefix, key;
  keys::partition_key(prefix, p);
  std::optional<PartitionMeta> meta_value;
  std::optional<codec::Cutoffs> cutoffs;
  for (auto body : bodies) {
    if (auto r = reader.check(body, portable::kDeltaV1); !r) return r;
    for (const auto& op : reader.ops()) {
      const auto f = static_cast<std::size_t>(op.family);
      if (f == kMetaCf) {
        // Written once, at the end, with the chain and epoch it must have.
        if (op.kind == portable::OpKind::del)
          return Error{"changelog body: meta deleted", Errc::corruption};
        meta_value.emplace();
        codec::decode(op.value, *meta_value);  // checked by the reader
        continue;
      }
      if (f == kRetentionCf && op.kind == portable::OpKind::put) {
        cutoffs.emplace();
        codec::decode(op.value, *cutoffs);
      }
      key.assign(prefix).append(op.key);
      switch (op.kind) {
        case portable::OpKind::put:
          check(wb.Put(cf_[f], slice(key), slice(op.value)), "apply");
          break;
        case portable::OpKind::merge:
          check(wb.Merge(cf_[f], slice(key), slice(op.value)), "apply");
          break;
        case portable::OpKind::del:
          check(wb.Delete(cf_[f], slice(key)), "apply");
          break;
      }
    }
  }
  auto stored = meta(p);
  if (!meta_value && head) meta_value = stored.value_or(PartitionMeta{});
  if (meta_value) {
    if (head) meta_value->chain = head;
    if (stored) meta_value->epoch = std::max(meta_value->epoch, stored->epoch);
    std::string v;
    codec::encode(v, *meta_value);
    check(wb.Put(cf_[kMetaCf], slice(prefix), slice(v)), "apply");
  }
  if (auto f = gate_.refused()) return *f;
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  if (auto s = db_->Write(wo, &wb); !s.ok()) return gate_.failed("rocksdb apply deltas", s);
  if (cutoffs) adopt_cutoffs(p, cutoffs);
  return ok();
}

// ---- Snapshots

Result<PortableStats> RocksStore::export_partition(
    Partition p, std::size_t max_chunk_bytes,
    const std::function<Result<void>(std::string_view)>& fn, const Snapshot* at) {
  std::shared_ptr<const Snapshot> own;
  if (at == nullptr) {
    own = snapshot();
    at = own.get();
  }
  const auto* snap = dynamic_cast<const RocksSnapshot*>(at);
  if (snap == nullptr) return Error{"export_partition: snapshot of another store"};
  std::string prefix;
  keys::partition_key(prefix, p);
  PortableStats stats;
  portable::BodyBuilder builder;
  std::string body;
  builder.begin(body, portable::kChunkV1);
  auto emit = [&]() -> Result<void> {
    builder.finish(body);
    stats.bytes += body.size();
    ++stats.chunks;
    auto r = fn(body);
    builder.begin(body, portable::kChunkV1);
    return r;
  };
  // Retention: what the reads no longer return is left out (whether or not a
  // compaction reclaimed it yet, so two stores with the same state export the
  // same bytes), and the cutoffs go as the reads apply them: the stored ones,
  // or newer ones expire() set that the next commit will store.
  codec::Cutoffs cut = retention_->get(p);
  {
    Cursor c(*db_, cf_[kRetentionCf], prefix, {}, /*fill_cache=*/false, snap->get());
    codec::Cutoffs stored;
    c.seek(prefix);
    if (c.valid()) {
      if (c.key().size() != prefix.size() || !codec::decode(c.value(), stored))
        corrupt("retention", c.key());
      cut = codec::Cutoffs{std::max(cut.cutoff, stored.cutoff),
                           std::max(cut.seen_cutoff, stored.seen_cutoff)};
    }
  }
  auto add = [&](Cf f, std::string_view key, std::string_view value) -> Result<void> {
    if (builder.count() > 0 && body.size() + op_bytes(key, value) > max_chunk_bytes) {
      if (auto r = emit(); !r) return r;
    }
    builder.add(body, static_cast<portable::Family>(f), portable::OpKind::put, key, value);
    ++stats.rows;
    return ok();
  };
  // The meta last: an import that has it has everything before it.
  static constexpr std::array<Cf, 7> kOrder = {kBucketsCf, kPostsCf,  kDetailsCf, kSeenCf,
                                               kAlertsCf,  kOutboxCf, kMetaCf};
  for (Cf f : kOrder) {
    if (f == kMetaCf && cut != codec::Cutoffs{}) {
      std::string v;
      codec::encode(v, cut);
      if (auto r = add(kRetentionCf, {}, v); !r) return r.error();
    }
    std::optional<RetainedTime> where;
    TimePoint cutoff = cut.cutoff;
    switch (f) {
      case kBucketsCf:
        where = RetainedTime::key_suffix;
        break;
      case kDetailsCf:
        where = RetainedTime::key_after_account;
        break;
      case kPostsCf:
        where = RetainedTime::value;
        break;
      case kSeenCf:
        where = RetainedTime::after_partition;
        cutoff = cut.seen_cutoff;
        break;
      default:
        break;
    }
    Cursor c(*db_, cf_[f], prefix, {}, /*fill_cache=*/false, snap->get());
    for (c.seek(prefix); c.valid(); c.next()) {
      const auto key = c.key().substr(prefix.size());
      const auto value = c.value();
      if (where && expired(*where, key, true, value, cutoff)) continue;
      if (auto r = add(f, key, value); !r) return r.error();
    }
  }
  if (builder.count() > 0 || stats.chunks == 0) {
    if (auto r = emit(); !r) return r.error();
  }
  return stats;
}

// Chunks come family by family, keys in order: each family's rows go into a
// table file of its own (SstFileWriter), ingested whole by finish(): no
// memtable, no WAL, no flush.
class RocksImport final : public PartitionImport {
 public:
  RocksImport(RocksStore& store, Partition p, std::uint64_t epoch)
      : store_(store), p_(p), epoch_(epoch) {
    keys::partition_key(prefix_, p);
  }
  ~RocksImport() override {
    for (auto& w : writers_) w.reset();
    std::error_code ec;
    for (const auto& f : files_)
      if (!f.empty()) std::filesystem::remove(f, ec);
  }

  Result<void> add(std::string_view chunk) override {
    if (done_ || failed_) return Error{"import: finished or failed"};
    if (auto r = reader_.check(chunk, portable::kChunkV1); !r) return r;
    for (const auto& op : reader_.ops()) {
      const auto f = static_cast<std::size_t>(op.family);
      if (f == kMetaCf) {
        meta_.emplace();
        codec::decode(op.value, *meta_);  // checked by the reader
      } else {
        if (f == kRetentionCf) {
          cutoffs_.emplace();
          codec::decode(op.value, *cutoffs_);
        }
        if (auto r = put(f, op.key, op.value); !r) {
          failed_ = true;
          return r;
        }
      }
      ++stats_.rows;
    }
    stats_.bytes += chunk.size();
    ++stats_.chunks;
    return ok();
  }

  Result<PortableStats> finish(const std::optional<ChainHead>& head) override {
    if (done_ || failed_) return Error{"import: finished or failed"};
    for (std::size_t f = 1; f < kCfCount; ++f) {
      if (!writers_[f]) continue;
      if (auto s = writers_[f]->Finish(); !s.ok()) return error_of("rocksdb import table", s);
      writers_[f].reset();
      rocksdb::IngestExternalFileOptions io;
      io.move_files = true;
      if (auto g = store_.gate_.refused()) return *g;
      if (auto s = store_.db_->IngestExternalFile(store_.cf_[f], {files_[f]}, io); !s.ok())
        return store_.gate_.failed("rocksdb import ingest", s);
      files_[f].clear();
    }
    // The rows are in table files now: the meta says the partition is complete.
    if (!meta_ && head) meta_.emplace();
    if (meta_) {
      if (head) meta_->chain = head;
      meta_->epoch = std::max(meta_->epoch, epoch_);
      std::string v;
      codec::encode(v, *meta_);
      rocksdb::WriteOptions wo;
      wo.sync = true;
      if (auto g = store_.gate_.refused()) return *g;
      if (auto s = store_.db_->Put(wo, store_.cf_[kMetaCf], slice(prefix_), slice(v)); !s.ok())
        return store_.gate_.failed("rocksdb import meta", s);
    }
    store_.adopt_cutoffs(p_, cutoffs_);
    done_ = true;
    return stats_;
  }

 private:
  Result<void> put(std::size_t f, std::string_view key, std::string_view value) {
    if (!writers_[f]) {
      const auto options = store_.db_->GetOptions(store_.cf_[f]);
      writers_[f] =
          std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions{}, options, store_.cf_[f]);
      files_[f] = fmt::format("{}/import-{:08x}-{}-{}.sst", store_.db_->GetName(),
                              static_cast<std::uint32_t>(p_.value()), f,
                              reinterpret_cast<std::uintptr_t>(this));
      if (auto s = writers_[f]->Open(files_[f]); !s.ok())
        return error_of("rocksdb import table", s);
    }
    key_.assign(prefix_).append(key);
    if (auto s = writers_[f]->Put(slice(key_), slice(value)); !s.ok()) {
      // Keys out of order or repeated: not a chunk export_partition wrote.
      if (s.IsInvalidArgument()) return Error{"import: " + s.ToString(), Errc::corruption};
      return error_of("rocksdb import table", s);
    }
    return ok();
  }

  RocksStore& store_;
  Partition p_;
  std::uint64_t epoch_;
  std::string prefix_, key_;
  portable::BodyReader reader_;
  std::array<std::unique_ptr<rocksdb::SstFileWriter>, kCfCount> writers_;
  std::array<std::string, kCfCount> files_;
  std::optional<PartitionMeta> meta_;
  std::optional<codec::Cutoffs> cutoffs_;
  PortableStats stats_;
  bool done_ = false;
  bool failed_ = false;
};

Result<std::unique_ptr<PartitionImport>> RocksStore::begin_import(Partition p) {
  const auto epoch = stored_epoch(p);
  if (auto r = drop_partition(p); !r) return r.error();
  return std::unique_ptr<PartitionImport>(std::make_unique<RocksImport>(*this, p, epoch));
}

}  // namespace kilter::storage

// Opening the RocksDB store: options, column families, the store's own records.
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include <rocksdb/db.h>

#include "storage/codec.h"
#include "storage/keys.h"
#include "storage/rocks_faults.h"
#include "storage/rocks_hooks.h"
#include "storage/rocks_logger.h"
#include "storage/rocks_options.h"
#include "storage/rocks_store.h"
#include "storage/rocks_util.h"

namespace kilter::storage {
namespace {

// The default column family holds the store's own small records.
constexpr std::string_view kInstanceKey = "instance";

Result<std::string> load_instance_id(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf) {
  std::string v;
  auto s = db.Get(rocksdb::ReadOptions{}, cf, slice(kInstanceKey), &v);
  if (s.ok()) return v;
  if (!s.IsNotFound()) return error_of("rocksdb read instance id", s);
  std::random_device rd;
  v = fmt::format("{:08x}{:08x}{:08x}{:08x}", rd(), rd(), rd(), rd());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto w = db.Put(wo, cf, slice(kInstanceKey), slice(v)); !w.ok())
    return error_of("rocksdb write instance id", w);
  return v;
}

// Loads the persisted cutoffs so retention holds across restarts.
Result<void> load_retention(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, RetentionTable& t) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions{}, cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string_view k = view(it->key());
    Partition p;
    codec::Cutoffs c;
    if (!keys::read_partition(k, p) || !k.empty() || !codec::decode(view(it->value()), c))
      return Error{"corrupt retention entry", Errc::corruption};
    t.set(p, c);
  }
  if (!it->status().ok()) return error_of("rocksdb read retention", it->status());
  return ok();
}

}  // namespace

Result<std::unique_ptr<StateStore>> open_rocks_store(const RocksOptions& opts) {
  if (opts.path.empty()) return Error{"storage path is empty"};
  std::error_code ec;
  std::filesystem::create_directories(opts.path, ec);
  if (ec)
    return Error{"cannot create " + opts.path + ": " + ec.message(), errc_from_errno(ec.value())};
  if (opts.min_free_bytes > 0) {
    // A start on a full disk would write a WAL, options and manifest files
    // before failing; in a restart loop, again and again.
    const auto space = std::filesystem::space(opts.path, ec);
    if (!ec && space.available < opts.min_free_bytes)
      return Error{
          fmt::format("{}: {} MiB free, less than the {} MiB the store needs to open (the state "
                      "directory's disk is full): free some space and start again",
                      opts.path, space.available >> 20, opts.min_free_bytes >> 20),
          Errc::no_space};
  }

  auto cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  auto retention = std::make_shared<RetentionTable>();
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (std::size_t i = 0; i < kCfCount; ++i)
    families.emplace_back(kCfNames[i], cf_options(static_cast<Cf>(i), cache, retention));

  auto options = db_options(opts.memtable_bytes);
  std::unique_ptr<rocksdb::Env> env;
  if (opts.faults) {
    env = faulty_env(opts.faults);
    options.env = env.get();
  }
  // Not RocksDB's own file logger: it aborts on the write after a failed one
  // (the first background error a full disk causes). See rocks_logger.h.
  options.info_log = make_info_log(opts.path, options.max_log_file_size);
  auto events = std::make_shared<StoreEvents>();
  options.listeners.push_back(events);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, opts.path, families, &handles, &raw);
  if (!s.ok()) return error_of("rocksdb open " + opts.path, s);
  std::unique_ptr<rocksdb::DB> db(raw);
  Handles cf{};
  std::copy(handles.begin(), handles.end(), cf.begin());
  auto instance = load_instance_id(*db, cf[kDefaultCf]);
  auto loaded = instance ? load_retention(*db, cf[kRetentionCf], *retention) : instance.error();
  if (!loaded) {
    for (auto* h : cf) db->DestroyColumnFamilyHandle(h);
    return loaded.error();
  }
  return make_rocks_store(std::move(db), cf, retention, std::move(*instance),
                          StoreExtras{std::move(env), std::move(events)});
}

}  // namespace kilter::storage

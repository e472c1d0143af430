// Internal to storage/: a bounded iterator over one key prefix, and the
// RocksDB snapshot behind StateStore::snapshot().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <rocksdb/db.h>

#include "storage/keys.h"
#include "storage/rocks_util.h"
#include "storage/state_store.h"

namespace kilter::storage {

// An iterator over the keys that start with `prefix`, bounded above so RocksDB
// stops at the partition's end instead of reading into the next one.
class Cursor {
 public:
  Cursor(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, std::string_view prefix,
         std::string_view upper = {}, bool fill_cache = true,
         const rocksdb::Snapshot* snapshot = nullptr)
      : prefix_(prefix) {
    ro_.snapshot = snapshot;
    if (!upper.empty()) {
      upper_.assign(upper);
      has_upper_ = true;
    } else {
      has_upper_ = keys::prefix_end(prefix, upper_);
    }
    upper_slice_ = slice(upper_);
    if (has_upper_) ro_.iterate_upper_bound = &upper_slice_;
    ro_.fill_cache = fill_cache;
    it_.reset(db.NewIterator(ro_, cf));
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;

  void seek(std::string_view k) { it_->Seek(slice(k)); }
  void next() { it_->Next(); }
  bool valid() const {
    if (!it_->Valid()) {
      check(it_->status(), "scan");
      return false;
    }
    return key().starts_with(prefix_);
  }
  std::string_view key() const { return view(it_->key()); }
  std::string_view value() const { return view(it_->value()); }

 private:
  std::string prefix_;
  std::string upper_;
  bool has_upper_ = false;
  rocksdb::Slice upper_slice_;
  rocksdb::ReadOptions ro_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

class RocksSnapshot final : public Snapshot {
 public:
  explicit RocksSnapshot(rocksdb::DB& db) : db_(db), snapshot_(db.GetSnapshot()) {}
  ~RocksSnapshot() override { db_.ReleaseSnapshot(snapshot_); }
  const rocksdb::Snapshot* get() const { return snapshot_; }

 private:
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace kilter::storage

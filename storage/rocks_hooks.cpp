#include "storage/rocks_hooks.h"

#include <deque>
#include <string_view>

#include <rocksdb/env.h>

#include "common/saturating.h"
#include "storage/keys.h"

namespace kilter::storage {
namespace {

std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// A value our own encoder did not produce: RocksDB turns `false` into a
// Corruption status, which the store's readers treat as fatal.
bool corrupt(rocksdb::Logger* logger, const char* what) {
  if (logger != nullptr)
    rocksdb::Log(rocksdb::InfoLogLevel::ERROR_LEVEL, logger, "kilter: %s", what);
  return false;
}

class BucketAdd final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    // A lone delta is already the encoded sum: hand it back without re-encoding.
    if (in.existing_value == nullptr && in.operand_list.size() == 1) {
      out->existing_operand = in.operand_list.front();
      return true;
    }
    codec::Row sum;
    codec::Row delta;
    if (in.existing_value != nullptr && !codec::decode_row(view(*in.existing_value), sum))
      return corrupt(in.logger, "undecodable bucket row");
    for (const auto& op : in.operand_list) {
      if (!codec::decode_row(view(op), delta))
        return corrupt(in.logger, "undecodable bucket delta");
      codec::merge_rows(sum, delta);
    }
    out->new_value.clear();
    codec::encode_row(out->new_value, sum);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& ops,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    codec::Row sum;
    codec::Row delta;
    for (const auto& op : ops) {
      if (!codec::decode_row(view(op), delta)) return corrupt(logger, "undecodable bucket delta");
      codec::merge_rows(sum, delta);
    }
    new_value->clear();
    codec::encode_row(*new_value, sum);
    return true;
  }

  // The name is stored with the column family: it stays, as rows merge v1
  // single buckets too.
  const char* Name() const override { return "kilter.BucketAdd.v1"; }
};

// Post details: a full record behaves as a reset, an add-only value adds to the
// engagement. Folding a run of operands therefore only needs the last full record
// and the sum of the deltas after it, whether or not a base value exists.
class DetailMerge final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    Fold f;
    if (in.existing_value != nullptr && !f.add(view(*in.existing_value)))
      return corrupt(in.logger, "undecodable post detail");
    for (const auto& op : in.operand_list)
      if (!f.add(view(op))) return corrupt(in.logger, "undecodable post detail operand");
    f.write(out->new_value);
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice&, const std::deque<rocksdb::Slice>& ops,
                         std::string* new_value, rocksdb::Logger* logger) const override {
    Fold f;
    for (const auto& op : ops)
      if (!f.add(view(op))) return corrupt(logger, "undecodable post detail operand");
    f.write(*new_value);
    return true;
  }

  const char* Name() const override { return "kilter.PostDetailMerge.v1"; }

 private:
  struct Fold {
    std::string_view full;  // empty: no full record seen
    std::uint64_t sum = 0;

    bool add(std::string_view v) {
      bool is_full = false;
      std::uint64_t e = 0;
      if (!codec::decode_detail_kind(v, is_full, e)) return false;
      if (is_full) {
        full = v;
        sum = 0;
      } else {
        sum = sat_add(sum, e);
      }
      return true;
    }
    void write(std::string& out) const {
      out.clear();
      if (full.empty()) {
        codec::encode_engagement_add(out, sum);
        return;
      }
      out.assign(full);
      codec::add_detail_engagement(out, sum);  // `full` was validated by add()
    }
  };
};

class RetentionFilter final : public rocksdb::CompactionFilter {
 public:
  RetentionFilter(RetentionTable::Map cutoffs, RetainedTime where)
      : cutoffs_(std::move(cutoffs)), where_(where) {}

  Decision FilterV2(int, const rocksdb::Slice& key, ValueType type, const rocksdb::Slice& value,
                    std::string*, std::string*) const override {
    if (type == ValueType::kBlobIndex) return Decision::kKeep;
    std::string_view k = view(key);
    Partition p;
    if (!keys::read_partition(k, p)) return Decision::kKeep;
    // Dropping an entry leaves a tombstone below the bottom level, so an older
    // version of the key cannot resurface.
    return expired(where_, k, type == ValueType::kValue, view(value), cutoff_of(p))
               ? Decision::kRemove
               : Decision::kKeep;
  }

  const char* Name() const override { return "kilter.Retention"; }

 private:
  // Keys arrive sorted, hence grouped by partition: remember the last lookup.
  TimePoint cutoff_of(Partition p) const {
    if (!cached_ || cached_partition_ != p.value()) {
      auto it = cutoffs_.find(p.value());
      cached_cutoff_ = it == cutoffs_.end()                      ? TimePoint::min()
                       : where_ == RetainedTime::after_partition ? it->second.seen_cutoff
                                                                 : it->second.cutoff;
      cached_partition_ = p.value();
      cached_ = true;
    }
    return cached_cutoff_;
  }

  RetentionTable::Map cutoffs_;
  RetainedTime where_;
  mutable bool cached_ = false;
  mutable std::int32_t cached_partition_ = 0;
  mutable TimePoint cached_cutoff_;
};

class RetentionFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  RetentionFilterFactory(std::shared_ptr<const RetentionTable> table, RetainedTime where)
      : table_(std::move(table)), where_(where) {}

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context&) override {
    // Each compaction works on the cutoffs as they were when it started.
    auto cutoffs = table_->snapshot();
    if (cutoffs.empty()) return nullptr;
    return std::make_unique<RetentionFilter>(std::move(cutoffs), where_);
  }

  const char* Name() const override { return "kilter.RetentionFactory"; }

 private:
  std::shared_ptr<const RetentionTable> table_;
  RetainedTime where_;
};

}  // namespace

bool expired(RetainedTime where, std::string_view k, bool is_value, std::string_view value,
             TimePoint cutoff) {
  if (cutoff == TimePoint::min()) return false;
  TimePoint ts;
  switch (where) {
    case RetainedTime::key_suffix:
      if (k.size() < keys::kTimeBytes) return false;
      k.remove_prefix(k.size() - keys::kTimeBytes);
      if (!keys::read_time(k, ts)) return false;
      // A row goes once its last possible bucket is older than the cutoff.
      ts += codec::kRowSpan - Millis{1};
      break;
    case RetainedTime::key_after_account:
      if (!keys::skip_account(k) || !keys::read_time(k, ts)) return false;
      break;
    case RetainedTime::value:
      if (!is_value || !codec::decode_post_ts(value, ts)) return false;
      break;
    case RetainedTime::after_partition:
      if (!keys::read_time(k, ts)) return false;
      break;
  }
  return ts < cutoff;
}

std::shared_ptr<rocksdb::MergeOperator> bucket_merge_operator() {
  return std::make_shared<BucketAdd>();
}

std::shared_ptr<rocksdb::MergeOperator> post_detail_merge_operator() {
  return std::make_shared<DetailMerge>();
}

std::shared_ptr<rocksdb::CompactionFilterFactory> retention_filter_factory(
    std::shared_ptr<const RetentionTable> table, RetainedTime where) {
  return std::make_shared<RetentionFilterFactory>(std::move(table), where);
}

}  // namespace kilter::storage

#include "pipeline/changelog/memory_log.h"

#include <algorithm>

namespace kilter::changelog {

MemoryLog::MemoryLog(std::int32_t partitions)
    : parts_(static_cast<std::size_t>(std::max(partitions, 1))) {}

void MemoryLog::set_away(bool away) {
  std::lock_guard lock(mu_);
  away_ = away;
}

void MemoryLog::set_holding(bool holding) {
  std::lock_guard lock(mu_);
  holding_ = holding;
}

void MemoryLog::truncate(std::int32_t partition, std::int64_t low) {
  std::lock_guard lock(mu_);
  auto& p = parts_.at(static_cast<std::size_t>(partition));
  const auto drop =
      std::clamp<std::int64_t>(low - p.low, 0, static_cast<std::int64_t>(p.records.size()));
  p.records.erase(p.records.begin(), p.records.begin() + drop);
  p.low += drop;
}

LogBounds MemoryLog::bounds(std::int32_t partition) const {
  std::lock_guard lock(mu_);
  const auto& p = parts_.at(static_cast<std::size_t>(partition));
  return {p.low, p.low + static_cast<std::int64_t>(p.records.size())};
}

std::size_t MemoryLog::size_bytes(std::int32_t partition) const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& r : parts_.at(static_cast<std::size_t>(partition)).records)
    n += r.key.size() + r.value.size();
  return n;
}

class MemoryWriter final : public ChangelogWriter {
 public:
  explicit MemoryWriter(MemoryLog& log) : log_(log) {}
  std::int32_t partitions() const override { return log_.partitions(); }
  Result<void> append(std::int32_t partition, std::string_view key,
                      std::string_view value) override {
    if (partition < 0 || partition >= partitions())
      return Error{"changelog partition out of range", Errc::failed};
    queued_.push_back({partition, std::string(key), std::string(value)});
    return {};
  }
  bool settled() override {
    std::lock_guard lock(log_.mu_);
    return !log_.holding_;  // else flush() stores at once
  }
  Result<std::span<const std::int64_t>> flush(Millis) override {
    std::lock_guard lock(log_.mu_);
    auto queued = std::move(queued_);
    queued_.clear();
    if (log_.away_) return Error{"changelog: broker away", Errc::unavailable};
    offsets_.clear();
    for (auto& q : queued) {
      auto& p = log_.parts_[static_cast<std::size_t>(q.partition)];
      const std::int64_t offset = p.low + static_cast<std::int64_t>(p.records.size());
      p.records.push_back({offset, std::move(q.key), std::move(q.value)});
      offsets_.push_back(offset);
    }
    return std::span<const std::int64_t>(offsets_);
  }

 private:
  struct Queued {
    std::int32_t partition;
    std::string key, value;
  };
  MemoryLog& log_;
  std::vector<Queued> queued_;
  std::vector<std::int64_t> offsets_;
};

class MemoryReader final : public ChangelogReader {
 public:
  explicit MemoryReader(MemoryLog& log) : log_(log) {}
  Result<LogBounds> bounds(std::int32_t partition, Millis) override {
    if (partition < 0 || partition >= log_.partitions())
      return Error{"changelog partition out of range", Errc::failed};
    {
      std::lock_guard lock(log_.mu_);
      if (log_.away_) return Error{"changelog: broker away", Errc::unavailable};
    }
    return log_.bounds(partition);
  }
  Result<void> read(std::int32_t partition, std::int64_t from, std::int64_t to,
                    const std::function<bool(const LogRecord&)>& fn, Millis) override {
    if (partition < 0 || partition >= log_.partitions())
      return Error{"changelog partition out of range", Errc::failed};
    std::vector<MemoryLog::Stored> copy;  // fn may append to the log
    {
      std::lock_guard lock(log_.mu_);
      if (log_.away_) return Error{"changelog: broker away", Errc::unavailable};
      const auto& p = log_.parts_[static_cast<std::size_t>(partition)];
      if (from < p.low) return Error{"changelog: offset below the oldest kept", Errc::failed};
      for (const auto& r : p.records)
        if (r.offset >= from && r.offset < to) copy.push_back(r);
    }
    for (const auto& r : copy)
      if (!fn(LogRecord{r.offset, r.key, r.value})) break;
    return {};
  }

 private:
  MemoryLog& log_;
};

std::unique_ptr<ChangelogWriter> MemoryLog::writer() {
  return std::make_unique<MemoryWriter>(*this);
}
std::unique_ptr<ChangelogReader> MemoryLog::reader() {
  return std::make_unique<MemoryReader>(*this);
}

}  // namespace kilter::changelog

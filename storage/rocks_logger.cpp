#include "storage/rocks_logger.h"

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <mutex>

namespace kilter::storage {
namespace {

class FileLogger final : public rocksdb::Logger {
 public:
  FileLogger(std::string dir, std::size_t max_bytes)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL),
        path_(std::move(dir) + "/LOG"),
        max_bytes_(max_bytes) {
    roll();
  }
  ~FileLogger() override {
    if (file_ != nullptr) std::fclose(file_);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    std::lock_guard lock(mu_);
    if (written_ >= max_bytes_) roll();
    if (file_ == nullptr) return;
    // A failed write (no space, read-only directory) loses a line, nothing else.
    const int n = std::vfprintf(file_, format, ap);
    if (n > 0) written_ += static_cast<std::size_t>(n);
    if (std::fputc('\n', file_) != EOF) ++written_;
    if (std::fflush(file_) != 0) std::clearerr(file_);
  }
  void Flush() override {
    std::lock_guard lock(mu_);
    if (file_ != nullptr && std::fflush(file_) != 0) std::clearerr(file_);
  }
  size_t GetLogFileSize() const override {
    std::lock_guard lock(mu_);
    return written_;
  }

 protected:
  rocksdb::Status CloseImpl() override {
    std::lock_guard lock(mu_);
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
    return rocksdb::Status::OK();
  }

 private:
  void roll() {
    if (file_ != nullptr) std::fclose(file_);
    std::error_code ec;
    std::filesystem::rename(path_, path_ + ".old", ec);  // none yet: nothing to keep
    file_ = std::fopen(path_.c_str(), "w");              // nullptr (unwritable directory): no log
    written_ = 0;
  }

  const std::string path_;
  const std::size_t max_bytes_;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;
  std::size_t written_ = 0;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> make_info_log(const std::string& dir, std::size_t max_bytes) {
  return std::make_shared<FileLogger>(dir, max_bytes);
}

}  // namespace kilter::storage

namespace kilter::storage {

void StoreEvents::OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) {
  if (errors_.fetch_add(1, std::memory_order_relaxed) != 0 || error == nullptr) return;
  const char* what = "write";
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush:
    case rocksdb::BackgroundErrorReason::kFlushNoWAL:
      what = "flush";
      break;
    case rocksdb::BackgroundErrorReason::kCompaction:
      what = "compaction";
      break;
    case rocksdb::BackgroundErrorReason::kManifestWrite:
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
      what = "manifest write";
      break;
    default:
      break;
  }
  std::fprintf(stderr, "kilter storage: rocksdb background %s failed: %s\n", what,
               error->ToString().c_str());
}

}  // namespace kilter::storage

#include "storage/rocks_faults.h"

#include <rocksdb/file_system.h>

namespace kilter::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

IOStatus refusal(WriteFaults& f) {
  switch (f.mode()) {
    case WriteFaults::Mode::none:
      return IOStatus::OK();
    case WriteFaults::Mode::no_space:
      f.count_refused();
      return IOStatus::NoSpace("injected: No space left on device");
    case WriteFaults::Mode::io_error:
      f.count_refused();
      return IOStatus::IOError("injected: Input/output error");
    case WriteFaults::Mode::read_only:
      f.count_refused();
      return IOStatus::IOError("injected: Read-only file system");
  }
  return IOStatus::OK();
}

class FaultyFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyFile(std::unique_ptr<rocksdb::FSWritableFile> f, std::shared_ptr<WriteFaults> faults)
      : FSWritableFileOwnerWrapper(std::move(f)), faults_(std::move(faults)) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, o, d);
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                  IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Append(data, o, v, d);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, d);
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& v, IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, v, d);
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Sync(o, d);
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FSWritableFileOwnerWrapper::Fsync(o, d);
  }

 private:
  std::shared_ptr<WriteFaults> faults_;
};

class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base,
                   std::shared_ptr<WriteFaults> faults)
      : FileSystemWrapper(base), faults_(std::move(faults)) {}
  const char* Name() const override { return "KilterFaultyFileSystem"; }

  IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                           std::unique_ptr<rocksdb::FSWritableFile>* r,
                           IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = FileSystemWrapper::NewWritableFile(f, o, &file, d);
    if (s.ok()) *r = std::make_unique<FaultyFile>(std::move(file), faults_);
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                              std::unique_ptr<rocksdb::FSWritableFile>* r,
                              IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = FileSystemWrapper::ReopenWritableFile(f, o, &file, d);
    if (s.ok()) *r = std::make_unique<FaultyFile>(std::move(file), faults_);
    return s;
  }
  IOStatus ReuseWritableFile(const std::string& f, const std::string& old,
                             const rocksdb::FileOptions& o,
                             std::unique_ptr<rocksdb::FSWritableFile>* r,
                             IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    auto s = FileSystemWrapper::ReuseWritableFile(f, old, o, &file, d);
    if (s.ok()) *r = std::make_unique<FaultyFile>(std::move(file), faults_);
    return s;
  }
  IOStatus RenameFile(const std::string& from, const std::string& to, const IOOptions& o,
                      IODebugContext* d) override {
    if (auto s = refusal(*faults_); !s.ok()) return s;
    return FileSystemWrapper::RenameFile(from, to, o, d);
  }

 private:
  std::shared_ptr<WriteFaults> faults_;
};

}  // namespace

std::unique_ptr<rocksdb::Env> faulty_env(std::shared_ptr<WriteFaults> faults) {
  auto fs = std::make_shared<FaultyFileSystem>(rocksdb::FileSystem::Default(), std::move(faults));
  return rocksdb::NewCompositeEnv(fs);
}

}  // namespace kilter::storage

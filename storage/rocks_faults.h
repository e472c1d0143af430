// The file system behind WriteFaults (storage/write_faults.h). Internal to storage/.
#pragma once

#include <memory>

#include <rocksdb/env.h>

#include "storage/write_faults.h"

namespace kilter::storage {

// An Env over the default one whose file writes fail when `faults` says so.
std::unique_ptr<rocksdb::Env> faulty_env(std::shared_ptr<WriteFaults> faults);

}  // namespace kilter::storage

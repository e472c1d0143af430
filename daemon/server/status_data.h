// The status page's data: which accounts, in which order, on which page, and
// their figures. Alert states and history are read through the state store (the
// durable truth, as of its last commit); the engine only says which partitions
// this daemon owns and which accounts it knows that have never left their limits.
#pragma once

#include <map>
#include <string>

#include "common/result.h"
#include "daemon/server/status_page.h"
#include "pipeline/engine/account_reader.h"
#include "storage/state_store.h"

namespace kilter::daemon {

inline constexpr std::size_t kStatusDefaultLimit = 50;
// A page is a few KiB per row: this keeps any answer well under a megabyte.
inline constexpr std::size_t kStatusMaxLimit = 100;
inline constexpr int kStatusDays = 14;

struct StatusQuery {
  std::size_t page = 1;  // 1-based
  std::size_t limit = kStatusDefaultLimit;
};

// ?page=N (from 1) &limit=N (1..kStatusMaxLimit); anything else is an error.
Result<StatusQuery> parse_status_query(const std::map<std::string, std::string>& query);

// Every account of the partitions the engine holds, firing first, then pending,
// then ok, by id within each; only the requested page's history is read.
StatusPage gather_status(const pipeline::AccountReader& accounts, storage::StateStore& store,
                         const StatusQuery& q);

}  // namespace kilter::daemon

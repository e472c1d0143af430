// One account as the engine holds it in memory: its policy (profile, campaigns,
// brand terms), its windows and the state of each of its profile's rules. Read
// by the API through AccountReader (account_reader.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/types.h"
#include "config/config.h"
#include "pipeline/model/alert.h"
#include "pipeline/windows/windows.h"

namespace kilter::pipeline {

struct AccountState {
  AccountId id;
  Partition partition;
  std::uint32_t index = 0;  // in its partition (what the post cache refers to)
  const config::Profile* profile = nullptr;
  const std::vector<config::Campaign>* campaigns = nullptr;  // the account entry's
  const std::vector<std::string>* brand_terms = nullptr;     // normalised, shared
  const std::string* timezone = nullptr;  // the account entry's (digests); null: the digest's
  AccountWindows windows;
  std::vector<AlertState> alerts;  // one per profile rule, same order
  // The next boundary at which the account's figures change without a new
  // event (a bucket leaving or entering a window, a campaign starting or
  // ending); max: never. Between events and until then, evaluating it again
  // could not change a verdict, so it is not evaluated.
  TimePoint due = TimePoint::max();
  std::uint8_t inputs = 0;  // what its rules read (Inputs): other events change no verdict
  bool dirty = false;       // deltas for the next commit
  bool changed = false;     // events since its last evaluation
  bool queued = false;      // in the evaluation being built
  explicit AccountState(Millis bucket) : windows(bucket) {}
  AccountRef ref() const { return id; }
};

}  // namespace kilter::pipeline

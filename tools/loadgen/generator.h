// Deterministic synthetic event streams in the SPEC event format (NDJSON).
// The same options (seed included) always give the same bytes: randomness comes
// only from std::mt19937_64 and our own portable sampling on top of it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/types.h"

namespace kilter::loadgen {

enum class Scenario : std::uint8_t {
  demo,  // one realistic week of ~20 named accounts, a few of them drifting on purpose
  load,  // many accounts (Zipf-distributed activity), a fixed number of events
};
std::optional<Scenario> parse_scenario(std::string_view s);
std::string_view to_string(Scenario s);

struct GeneratorOptions {
  Scenario scenario = Scenario::demo;
  std::uint64_t seed = 42;
  TimePoint start = from_epoch_ms(1'794'787'200'000);  // 2026-11-16T00:00:00Z, a Monday
  int days = 7;                                        // event-time span
  // load: when positive, the event-time span instead of `days` (a paced run whose
  // event time follows the wall clock sped up spans hours, not days).
  Millis span{0};
  std::uint64_t accounts = 1'000;               // load: number of accounts (demo has a fixed cast)
  std::uint64_t events = 100'000;               // load: number of events (duplicates included)
  double zipf_exponent = 1.1;                   // load: skew of account activity
  double duplicate_rate = 0.003;                // share of events delivered a second time (same id)
  Millis max_jitter = std::chrono::minutes(4);  // how far out of order an event may come
  // When set, posts carry their intended category under this field name (e.g.
  // "expected"), which the daemon ignores: ground truth for the classifier.
  // Never "category", which the daemon would trust: that is `trusted_labels`.
  std::string label_field;
  // Posts carry their intended category as `category`, which the daemon trusts
  // instead of classifying: the ground-truth run of a verdict check (the alerts
  // the week raises when every post is classified right).
  bool trusted_labels = false;
  // demo: labelled NDJSON files whose posts replace the composed texts (texts.h):
  // each planned post of category C in language L takes the text, kind, hashtags,
  // mentions and links of a post of these files labelled C in L, each (C, L) pool
  // shuffled once from the seed and cycled through. The plan (accounts, times,
  // engagement, followers) is unchanged.
  std::vector<std::string> texts;
};

class Generator {
 public:
  // Validates the options (e.g. load needs accounts > 0) and reads the texts files.
  static Result<Generator> create(const GeneratorOptions& opts);

  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;
  ~Generator();

  // Replaces `out` with the next event (one JSON object, no newline). Returns
  // false when the stream is over. `out` keeps its capacity, so a caller that
  // reuses it allocates nothing per event once warmed up.
  bool next(std::string& out);

  std::uint64_t emitted() const;  // events written so far, duplicates included

  struct Impl;

 private:
  explicit Generator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kilter::loadgen

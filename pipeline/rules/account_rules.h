// The rule-level decisions for one account at one evaluation time: every rule's
// verdict (its alert state steps), then which transitions are told (mute
// windows, inhibitions; a campaign changes a rule's limits), to which sinks
// (routing), and the typed record of each. The engine decides when an account is
// evaluated and stages what comes back; nothing here reads a clock or the store.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "common/types.h"
#include "config/config.h"
#include "pipeline/model/alert.h"
#include "pipeline/rules/evidence.h"
#include "pipeline/rules/noise.h"
#include "pipeline/rules/rules.h"
#include "pipeline/windows/windows.h"

namespace kilter::pipeline {

// What the rules of one account read.
struct AccountRules {
  AccountRef account;
  const config::Profile& profile;
  const std::vector<config::Campaign>* campaigns;  // the account entry's (may be null)
  const AccountWindows& windows;
};

// Why a firing alert is not told (yet).
enum class Held : std::uint8_t { no = 0, muted, inhibited };

// One rule's evaluation, with what is told of it.
struct Verdict {
  AlertState before;                           // the state before this evaluation
  std::optional<Transition> transition;        // what the state did (step())
  MetricValue value;                           // with the limits the rule had
  const config::Campaign* campaign = nullptr;  // whose limits those were
  Held held = Held::no;                        // a firing alert kept quiet
  bool store = false;                          // the new state must be written
  std::optional<Transition> tell;              // the notification, if one is told
  std::vector<std::string> sinks;              // where it goes (with tell; empty: unrouted)
};

class RuleEvaluator {
 public:
  explicit RuleEvaluator(const config::Config& c) : cfg_(&c), noise_(c) {}

  // Steps every rule of `a` at `at`: `alerts` (parallel to the profile's rules)
  // change in place. First every rule's verdict, then what is told: an
  // inhibition looks at the account's other alerts as they stand after this
  // evaluation. A firing is told once (AlertState::notified), when nothing holds
  // it back; a resolution only if its firing was told. The verdicts stay valid
  // until the next call (the caller may take their sinks).
  std::span<Verdict> evaluate(const AccountRules& a, std::span<AlertState> alerts, TimePoint at);

  // The record of verdict `i` of the last evaluate() (which told it), with its
  // evidence: `posts` gives the posts of the evaluated window.
  AlertRecord record(const AccountRules& a, std::size_t i, TimePoint at, Partition partition,
                     const PostSource& posts);

  // The account's alerts firing at `at` and told to the sinks (mute and
  // inhibition considered), as records with their routes (Alertmanager re-sends
  // them, Slack reminds of them).
  void told_firing(const AccountRules& a, std::span<const AlertState> alerts, TimePoint at,
                   const std::function<void(AlertRecord, std::vector<std::string>)>& out) const;

 private:
  const config::Config* cfg_;
  NoiseControl noise_;
  std::vector<Verdict> verdicts_;
  // Rules share windows (7d for the shares, say): each is summed once per evaluation.
  std::vector<std::tuple<TimePoint, Millis, WindowFigures>> figures_;
  config::Rule scratch_rule_;  // a rule with a campaign's limits
};

}  // namespace kilter::pipeline

#include "daemon/server/status_data.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "common/time.h"
#include "pipeline/engine/account_view.h"
#include "pipeline/rules/advice.h"
#include "pipeline/rules/noise.h"
#include "pipeline/rules/rules.h"

namespace kilter::daemon {
namespace {

struct Entry {
  std::string id;
  Partition partition;
  AccountStatus status = AccountStatus::ok;
  // Stored states that are not inactive, by rule name (rules no longer in the
  // profile are left out when the status is worked out).
  std::vector<std::pair<std::string, AlertState>> states;
};

Result<std::size_t> whole_number(const std::map<std::string, std::string>& query, const char* key,
                                 std::size_t fallback, std::size_t min, std::size_t max) {
  auto it = query.find(key);
  if (it == query.end()) return fallback;
  const auto& text = it->second;
  std::size_t v = 0;
  bool valid = !text.empty() && text.size() <= 9;
  for (char c : text) {
    if (c < '0' || c > '9') {
      valid = false;
      break;
    }
    v = v * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!valid || v < min || v > max)
    return Error{fmt::format("{} must be a whole number from {} to {}", key, min, max)};
  return v;
}

const AlertState* stored_state(const Entry& e, std::string_view rule) {
  for (const auto& [name, s] : e.states)
    if (name == rule) return &s;
  return nullptr;
}

AccountStatus status_of(const Entry& e, const config::Profile* profile) {
  auto status = AccountStatus::ok;
  if (profile == nullptr) return status;
  for (const auto& r : profile->rules) {
    const auto* s = stored_state(e, r.name);
    if (s == nullptr) continue;
    if (s->phase == AlertPhase::firing) return AccountStatus::firing;
    if (s->phase == AlertPhase::pending) status = AccountStatus::pending;
  }
  return status;
}

// What to post next for a rule out of limits, from the engine's windows of the
// account (they may be ahead of the store's last commit); empty: no advice.
std::string advice_text(const pipeline::AccountState* a, TimePoint end, const config::Rule& rule,
                        const config::Config& cfg) {
  if (a == nullptr) return {};
  const auto v = pipeline::compute_metric(rule, a->windows, end, cfg.pipeline.engagement_weights);
  auto advice = pipeline::advise(rule, a->windows, end, v);
  return advice ? std::move(advice->text) : std::string();
}

StatusRow make_row(const Entry& e, const pipeline::AccountReader& accounts,
                   std::optional<TimePoint> at, storage::StateStore& store) {
  const auto& cfg = accounts.config();
  StatusRow row;
  row.account = e.id;
  row.status = e.status;
  const auto policy = config::resolve_account(cfg, e.id);
  const config::Rule* main = nullptr;
  if (policy.profile != nullptr) {
    row.profile = policy.profile->name;
    main = pipeline::balance_rule(*policy.profile);
  }
  const Millis window = main != nullptr ? main->window : Millis{std::chrono::days{7}};
  row.window = main != nullptr ? main->window_text : "7d";
  if (!at) return row;  // nothing committed for this partition yet
  config::Rule scratch;
  if (main != nullptr && main->metric == config::Metric::personal_share) {
    const auto& r = pipeline::with_campaign(
        *main, pipeline::active_campaign(policy.campaigns, *main, *at), scratch);
    row.share_min = r.min;
    row.share_max = r.max;
  }
  const auto history =
      pipeline::account_history(store, e.partition, e.id, *at, window, kStatusDays);
  for (std::size_t c = 0; c < kCategories; ++c) row.posts[c] = history.window.posts[c];
  row.first_day = history.first_day;
  const auto& weights = cfg.pipeline.engagement_weights;
  for (const auto& d : history.days) {
    pipeline::WindowFigures f{d};
    DayFigures day;
    if (auto n = f.classified_posts(); n > 0)
      day.personal_share =
          static_cast<double>(f.posts(Category::personal)) / static_cast<double>(n);
    day.engagement = f.weighted_engagement(weights);
    row.days.push_back(day);
  }
  if (policy.profile == nullptr) return row;
  TimePoint end;
  const auto* view = accounts.find_account(AccountRef{e.id}, &end);
  for (auto phase : {AlertPhase::firing, AlertPhase::pending}) {
    for (const auto& rule : policy.profile->rules) {
      const auto* s = stored_state(e, rule.name);
      if (s == nullptr || s->phase != phase) continue;
      const auto* campaign = pipeline::active_campaign(policy.campaigns, rule, *at);
      const auto& r = pipeline::with_campaign(rule, campaign, scratch);
      RuleLine& line = row.rules.emplace_back();
      line.rule = rule.name;
      line.status = phase == AlertPhase::firing ? AccountStatus::firing : AccountStatus::pending;
      line.description = pipeline::describe(r, s->last_value);
      line.since = s->since;
      line.severity = r.severity;
      if (campaign != nullptr) line.campaign = campaign->name;
      line.advice = advice_text(view, end, r, cfg);
    }
  }
  return row;
}

}  // namespace

Result<StatusQuery> parse_status_query(const std::map<std::string, std::string>& query) {
  StatusQuery q;
  auto page = whole_number(query, "page", 1, 1, 999'999'999);
  if (!page) return page.error();
  auto limit = whole_number(query, "limit", kStatusDefaultLimit, 1, kStatusMaxLimit);
  if (!limit) return limit.error();
  q.page = *page;
  q.limit = *limit;
  return q;
}

StatusPage gather_status(const pipeline::AccountReader& accounts, storage::StateStore& store,
                         const StatusQuery& q) {
  const auto& cfg = accounts.config();
  const auto bucket = cfg.storage.bucket;
  std::vector<Entry> entries;
  std::unordered_map<std::string, std::size_t> index;
  auto entry = [&](std::string_view id, Partition p) -> Entry& {
    auto [it, added] = index.try_emplace(std::string(id), entries.size());
    if (added) entries.push_back(Entry{std::string(id), p, AccountStatus::ok, {}});
    return entries[it->second];
  };
  // Partitions this daemon owns now: the store may still hold others' (a Kafka
  // partition that moved keeps its old state here, no longer current).
  std::map<Partition, TimePoint> ends;
  for (auto p : accounts.partitions()) {
    if (auto meta = store.meta(p); meta && meta->max_event_time != TimePoint{})
      ends[p] = bucket_start(meta->max_event_time, bucket) + bucket;  // as the engine's windows
    store.scan_alert_states(
        p, [&](std::string_view account, std::string_view rule, const AlertState& s) {
          if (s.phase != AlertPhase::inactive)
            entry(account, p).states.emplace_back(std::string(rule), s);
        });
  }
  // Accounts that never left their limits have no stored alert state.
  accounts.for_each_account(
      [&](const pipeline::AccountState& a, TimePoint) { entry(a.id.view(), a.partition); });

  StatusPage page;
  for (auto& e : entries) {
    if (!e.states.empty()) e.status = status_of(e, config::resolve_account(cfg, e.id).profile);
    ++(e.status == AccountStatus::firing    ? page.firing
       : e.status == AccountStatus::pending ? page.pending
                                            : page.ok);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return std::tie(x.status, x.id) < std::tie(y.status, y.id);
  });
  for (const auto& [p, end] : ends) page.as_of = std::max(page.as_of.value_or(end), end);
  page.limit = q.limit;
  page.default_limit = kStatusDefaultLimit;
  page.page = q.page;
  page.pages = std::max<std::size_t>(1, (entries.size() + q.limit - 1) / q.limit);
  page.first = (q.page - 1) * q.limit;
  for (std::size_t i = page.first; i < entries.size() && i < page.first + q.limit; ++i) {
    auto it = ends.find(entries[i].partition);
    page.rows.push_back(make_row(
        entries[i], accounts, it != ends.end() ? std::optional(it->second) : std::nullopt, store));
  }
  return page;
}

}  // namespace kilter::daemon

// Renders typed alert records (SPEC section 3) into the request bodies of the team
// channels: Slack incoming webhooks, Teams Workflows webhooks and Alertmanager's
// POST /api/v2/alerts. Pure functions: no I/O, and the same records give the same
// bytes, so a redelivered notification is byte-identical to the first one. The
// JSON goes through common/json.h's writer.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/digest.h"

namespace kilter::pipeline::channels {

// channel / username / icon_emoji override the webhook's defaults; empty: omitted.
struct SlackOptions {
  std::string channel;
  std::string username;
  std::string icon_emoji;
  std::size_t max_posts = 3;  // top posts shown per alert
};

struct TeamsOptions {
  std::size_t max_posts = 3;  // top posts shown per alert
};

struct AlertmanagerOptions {
  std::string generator_url;  // Kilter's HTTP base URL; empty: no generatorURL
  // Added to every alert. A name Kilter sets itself (alertname, account, ...) or one
  // Alertmanager would refuse is an error, rather than a silent override.
  std::map<std::string, std::string> extra_labels;
};

// All functions take the records of one notification group: one or more alert
// records of the same account (grouped by the caller), oldest first; an empty
// group is an Error. A figure that is not finite (NaN: not known) is left out, as are top
// posts without an id and empty terms.
using Records = std::span<const AlertRecord* const>;
Result<std::string> slack_message(Records records, const SlackOptions& o);
Result<std::string> teams_message(Records records, const TeamsOptions& o);
Result<std::string> alertmanager_alerts(Records records, const AlertmanagerOptions& o);

// One message per digest run and sink (issue 14): the digest records of one run
// (same digest name and period end), any number of accounts, rendered as a
// table, worst first (out of limits, then by distance to the limit), with each
// account's balance and what changed; within Block Kit's and Teams' limits (the
// rows that do not fit are counted: "and 12 more accounts"). An empty span is an
// Error. Implemented in channels_digest_slack.cpp / channels_digest_teams.cpp.
using Digests = std::span<const DigestRecord* const>;
Result<std::string> slack_digest(Digests digests, const SlackOptions& o);
Result<std::string> teams_digest(Digests digests, const TeamsOptions& o);

// Shared by the channels_*.cpp renderers; not an interface for other modules.
namespace detail {

// The value when it is finite: what a receiver can be shown.
std::optional<double> known(double v);
std::optional<double> known(const std::optional<double>& v);
// The top posts worth showing (those with an id), in order.
std::vector<const TopPost*> shown_posts(const Evidence& e);
// The non-empty strings of v.
std::vector<std::string_view> terms(const std::vector<std::string>& v);
std::string_view category_name(const TopPost& p);

// "50.0%" for shares, "5" for posts, "+12.5%" for changes, "119.25" otherwise.
std::string format_value(std::string_view metric, double v);
std::string format_number(double v);  // at most 2 decimals, trailing zeros dropped
std::string format_percent(double fraction, bool is_signed);
std::string metric_title(std::string_view metric);  // "Promotional share"; "Value" if unknown
std::string limit_text(const AlertRecord& a);       // "max 40.0%", "min 1 · max 30"; "" if none
std::string status_label(const AlertRecord& a);     // "🔴 FIRING" / "✅ RESOLVED"
std::string posts_text(const Evidence& e);          // "personal 0 · professional 5 · ..."
std::string followers_text(const FollowerEvidence& f);  // "12398 → 12464 (+0.5%)"
std::string baseline_text(const BaselineEvidence& b);   // "previous 28d: 40 posts · 12.5 ..."
std::string more_alerts_text(std::size_t n);            // "and 3 more alerts"

// Concatenation without `"literal" + std::string`, which GCC 12 at -O3 flags with
// a false -Wrestrict (GCC bug 105329).
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  out.reserve((std::string_view(parts).size() + ...));
  (out.append(std::string_view(parts)), ...);
  return out;
}

// Longest prefix of s of at most max bytes that ends on a UTF-8 code point boundary.
std::size_t utf8_prefix(std::string_view s, std::size_t max);
// Slack mrkdwn: &, < and > as entities, so that text from a record cannot mention
// @channel or forge a link.
std::string slack_escape(std::string_view s);
// At most `max` bytes of mrkdwn, "…" ending a cut one; the cut never ends inside an
// entity, a <...> token or a code span (Slack would show half a piece of markup).
std::string mrkdwn_clip(std::string_view mrkdwn, std::size_t max);
// Text from a record as literal text in a Teams card's markdown (the Adaptive
// Cards subset: emphasis, links, lists).
std::string teams_md(std::string_view s);
// The Teams Workflows message: one Adaptive Card (version 1.4, full width) whose
// body is `items`, each a JSON object already written.
std::string teams_card(std::span<const std::string> items);
// s itself when it fits in max bytes, else a prefix ending with "…" (max bytes in all).
std::string clip(std::string_view s, std::size_t max);
bool is_web_url(std::string_view s);  // http(s), no spaces or control characters

using JsonWriter = json::Writer;

// The strings of `v` with `sep` between them.
template <class Strings>
std::string join(const Strings& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

// Slack's documented Block Kit limits. Sizes are counted in bytes, which is never
// less than Slack's count in characters, so a byte budget is always within the limit.
inline constexpr std::size_t kSlackMaxBlocks = 50;
inline constexpr std::size_t kSlackSectionText = 3000;
inline constexpr std::size_t kSlackFieldText = 2000;
inline constexpr std::size_t kSlackHeaderText = 150;
inline constexpr std::size_t kSlackContextText = 2000;
// Notification text is for a glance; Slack truncates far later (40k) but nobody reads that.
inline constexpr std::size_t kSlackFallbackText = 3000;
// A Slack text object of `type` (mrkdwn or plain_text, which renders emoji codes).
void slack_text(JsonWriter& w, std::string_view type, std::string_view text);
// A context block: one mrkdwn element per text, each clipped to kSlackContextText.
std::string slack_context_block(std::initializer_list<std::string_view> mrkdwn);
// The incoming-webhook body: the options' channel, username and icon, `text` (the
// notification, as given), `blocks` (each a JSON object already written), and no
// link previews (post links are evidence, not content to preview in the channel).
std::string slack_envelope(const SlackOptions& o, std::string_view text,
                           std::span<const std::string> blocks);
// What a Teams card shows of one text (a TextBlock, a fact's value).
inline constexpr std::size_t kTeamsTextMax = 2000;
// Opens a Teams TextBlock (wrapped, clipped to kTeamsTextMax); the caller adds its
// styling and closes it.
void teams_text_block(JsonWriter& w, std::string_view text);

}  // namespace detail
}  // namespace kilter::pipeline::channels

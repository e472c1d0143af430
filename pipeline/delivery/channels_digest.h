// What the Slack and Teams digest renderers share (channels_digest_slack.cpp,
// channels_digest_teams.cpp): the order of the accounts (worst first) and the
// wording of each table cell, so that both channels show the same table. Private
// to pipeline/delivery, like channels.h's detail namespace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/delivery/channels.h"
#include "pipeline/model/digest.h"

namespace kilter::pipeline::channels::detail {

// The records worst first: an account with a rule firing before one without; then
// the account whose share (personal or promotional) is furthest beyond its limit,
// or least within it; then by account id (then digest id), so the order is total
// and the bytes deterministic.
std::vector<const DigestRecord*> worst_first(Digests digests);

// The names of the rules firing at the period's end, in the record's order.
std::vector<std::string_view> firing_rules(const DigestRecord& d);

enum class DigestStatus : std::uint8_t { firing, pending, ok, no_verdict, no_rules };
DigestStatus digest_status(const DigestRecord& d);
// "🔴 brand-on-topic, chatter", "🟠 pending: chatter", "✅ within limits",
// "⚪ no verdict", "" (no rules). Rule names as they are: the caller escapes.
std::string digest_status_text(const DigestRecord& d);

// "2 / 9 / 1": personal / professional / promotional posts.
std::string posts_cell(const DigestRecord& d);
std::string share_cell(std::optional<double> s);        // "16.7%"; "–" when not known
std::uint64_t engagement_total(const DigestRecord& d);  // every action but impressions
std::string followers_cell(const DigestRecord& d);      // "-0.5%", "12790" (no change known), "–"
// The first advice with a text, clipped to max bytes; "" when none.
std::string first_advice(const DigestRecord& d, std::size_t max);

// "2026-11-19T09:00:00+01:00" as "2026-11-19 09:00" (the local wall time the
// record's text carries); anything else as it is.
std::string local_time(std::string_view rfc3339);
// "2026-11-19 09:00 → 2026-11-20 09:00 (Europe/Paris)" for the first record, plus
// " · other time zones for N accounts" when the accounts' periods differ.
std::string period_text(Digests digests);
std::string more_accounts_text(std::size_t n);  // "and 12 more accounts"
// "3 accounts, 1 with a rule firing"
std::string accounts_summary(Digests digests);

}  // namespace kilter::pipeline::channels::detail

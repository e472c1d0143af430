// The alert record's serialisations at the edge, once per format: the SPEC JSON
// line (file, webhook and Kafka sinks, the outbox's stored form), its one reader
// (the outbox's restore), and the log sink's line. The channels (Slack, Teams,
// Alertmanager) render the typed record themselves (channels.h).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "pipeline/model/alert.h"
#include "pipeline/model/digest.h"

namespace kilter::pipeline {

// One line of JSON shaped as SPEC section 3, "type":"alert" first; extra keys
// (profile, severity, campaign) last. Non-finite numbers are written as null.
// evidence.advice only when the record has advice.
std::string to_json(const AlertRecord& r);

// One advice as a JSON object (evidence.advice, a digest's "advice" items, the
// accounts API): {"rule","metric","window","status","value","limit",
// "posts_needed","of":[category names],"leaving","within_by":RFC 3339 or null,
// "pace_per_day","text"}.
void append_advice(std::string& out, const Advice& a);

// The SPEC JSON line back into a typed record: to_json(parse(to_json(r))) ==
// to_json(r). Required: alert_id and account (non-empty strings), status
// (firing | resolved), starts_at (RFC 3339) and summary; "type", when present,
// must be "alert" (records written before it existed have none). Any other field may be
// absent or null: a number then reads as NaN (value, engagement: what to_json
// wrote for a non-finite one), an optional as unset, the rest as empty or zero.
// A field of the wrong type, an unknown category or an unreadable timestamp is an
// Error; unknown keys are ignored. Not on the hot path (one parser per thread).
Result<AlertRecord> parse_alert_record(std::string_view json);

// The log sink's line:
// "FIRING   acme/personal_share/7d   brand-on-topic       acme: personal share 42% ..."
std::string render_alert_line(const AlertRecord& r);

// ---- Digest records (SPEC section 3, "Digests"; record_format_digest.cpp)

// One line of JSON: "type":"digest" first, then the contract's keys in its order
// (digest_id, digest, account, profile, timezone, from, to, posts,
// personal_share, promotional_share, engagement, engagement_by_category,
// followers, top_posts, rules, advice). A share or change not known is null.
std::string to_json(const DigestRecord& r);

// What a stored outbox line is: "digest" for "type":"digest", "alert" for
// "type":"alert" or no type (alert records written before digests existed),
// "unknown" otherwise.
std::string_view record_type(std::string_view json);

// The digest line back into a typed record: to_json(parse(to_json(r))) ==
// to_json(r). Required: type "digest", digest_id, digest, account, from and to.
Result<DigestRecord> parse_digest_record(std::string_view json);

// The log sink's line for a digest: "DIGEST   morning-review/acme/... posts 12 ...".
std::string render_digest_line(const DigestRecord& r);

}  // namespace kilter::pipeline

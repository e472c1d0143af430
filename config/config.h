// Typed configuration. Every field has a default and a one-line doc; the loader
// (loader.h) fills these from YAML and validates them. Components receive only
// their own section.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/types.h"

namespace kilter::config {

// Replay of an NDJSON file; "-" is stdin.
struct FileSourceConfig {
  std::string path;  // resolved against the config file's directory
  bool operator==(const FileSourceConfig&) const = default;
};

struct KafkaConfig {
  std::string brokers = "localhost:9092";               // bootstrap list
  std::string group_id = "kilter";                      // consumer group
  std::vector<std::string> topics = {"social.events"};  // topics consumed
  std::string dead_letter_topic;                        // empty: no dead-letter topic
  // Where each input partition's state is written so that it follows the partition
  // (docs/state-changelog.md); the loader sets "<group_id>.changelog" when the
  // key is absent; empty: no changelog (a single instance keeps its state).
  std::string changelog_topic = "kilter.changelog";
  int standby_replicas = 0;  // >= 1: follow the partitions other instances hold
  std::map<std::string, std::string> properties;  // passed to librdkafka verbatim
  bool operator==(const KafkaConfig&) const = default;
};

struct StorageConfig {
  std::string path = "kilter-state";         // RocksDB directory, resolved against the config dir
  Millis bucket = std::chrono::hours(1);     // event-time bucket size
  Millis retention = std::chrono::days(35);  // buckets older than this are dropped
  Millis commit_interval = std::chrono::milliseconds(250);  // one atomic batch per interval
  std::size_t commit_max_events = 50'000;  // ... or per this many events, if sooner
  std::size_t block_cache_mib = 32;        // RocksDB's cache of table blocks, every family together
  std::size_t memtable_mib = 64;           // RocksDB's write buffers, every family together
  std::size_t min_free_mib = 64;           // free space (MiB) the store needs to open; 0: no check
  bool operator==(const StorageConfig&) const = default;
};

// Bounds an action's weight so that weight x count (count <= 2^32 - 1) stays
// exact in a double and within a 64-bit integer.
inline constexpr double kMaxEngagementWeight = 1'000'000;

struct PipelineConfig {
  Millis allowed_lateness = std::chrono::minutes(10);    // watermark = max event time - this
  Millis evaluation_interval = std::chrono::minutes(1);  // wall-clock evaluation (live sources)
  std::size_t max_event_bytes = 64 * 1024;               // larger messages are bad input
  // Event times further ahead of the wall clock are bad input (future_timestamp).
  Millis max_future_skew = std::chrono::hours(1);
  // Memory bounds, shared by the partitions a daemon holds: event ids still able
  // to come again (within the lateness), and recent posts engagement looks up.
  std::size_t dedupe_max_ids = 1'000'000;
  std::size_t post_cache_posts = 1'000'000;
  // Weight of each action in engagement_per_post, indexed by kilter::Action;
  // each in [0, kMaxEngagementWeight].
  std::array<double, kActions> engagement_weights = {2, 2, 2, 1, 1, 0};
  bool operator==(const PipelineConfig&) const = default;
};

enum class ClassifierMethod { model, lexicon };

struct ClassifierConfig {
  ClassifierMethod method = ClassifierMethod::model;  // learned model, or the lexicons alone
  std::string model;  // model file from `kilterd train`; empty: the shipped model
  std::vector<std::string> languages = {"en", "fr"};  // shipped lexicons to load
  std::vector<std::string> extra_lexicons;            // extra lexicon files (same format)
  // Below this confidence a post is "unclassified"; unset: 0.5 with the model (its
  // confidence is calibrated: below 0.5 its guess is more often wrong than right), 0
  // with the lexicons (their confidence is a score, not a probability).
  std::optional<double> min_confidence;
  double effective_min_confidence() const {
    return min_confidence.value_or(method == ClassifierMethod::model ? 0.5 : 0.0);
  }
  bool operator==(const ClassifierConfig&) const = default;
};

enum class Metric {
  personal_share,
  promotional_share,
  posts,
  engagement_per_post,
  engagement_change,
  follower_change
};
std::string_view to_string(Metric m);
std::optional<Metric> parse_metric(std::string_view s);

struct Rule {
  std::string name;  // shown as the alert's "rule"
  Metric metric = Metric::personal_share;
  Millis window{};                   // multiple of storage.bucket
  std::string window_text;           // as written ("7d"), used in alert ids and summaries
  std::optional<double> min;         // breach when value < min
  std::optional<double> max;         // breach when value > max
  std::uint64_t min_posts = 0;       // no verdict on fewer posts in the window
  std::optional<Millis> baseline;    // engagement_change: the longer window compared with
  Millis for_ = Millis{0};           // breach must hold this long before firing
  std::string severity = "warning";  // carried to channels
  // A firing alert resolves only once the value has stayed within limits this long.
  Millis keep_firing_for = Millis{0};
  // no_verdict: a firing alert whose rule has had no verdict this long resolves;
  // nullopt ("keep"): it keeps firing however long that lasts.
  std::optional<Millis> no_verdict_resolve_after;
  // Share rules: a breach only when the Wilson score interval of the share at this
  // confidence (0 < c < 1) lies wholly beyond the limit; nullopt: the point share.
  std::optional<double> confidence;
};

struct Profile {
  std::string name;
  std::vector<Rule> rules;
  std::vector<std::string> brand_terms;  // professional vocabulary for every account of it
};

// Replacement limits of one rule.
struct Limits {
  std::optional<double> min;
  std::optional<double> max;
};

// A declared period (a sale, a launch) during which some rules of an account have
// other limits instead of being muted. They apply while the rule's window overlaps
// [from, to), so the campaign's posts do not trip the normal limits right after it.
struct Campaign {
  std::string name;
  TimePoint from;
  TimePoint to;
  std::map<std::string, Limits> limits;  // rule name -> limits during the campaign
};

struct AccountMatcher {
  std::string id;     // exact account id, or
  std::string match;  // glob (* and ?)
  std::string profile;
  std::vector<std::string> brand_terms;  // professional vocabulary of this account
  std::vector<Campaign> campaigns;       // periods with other limits
  std::string timezone;  // IANA name: this account's digests are cut in it; empty: the digest's
};

// Which alerts a route, a mute window or an inhibition applies to. Every field
// set must match; an empty matcher matches every alert.
struct AlertMatcher {
  std::string account;   // glob (* and ?)
  std::string profile;   // profile name
  std::string rule;      // rule name
  std::string metric;    // contract metric name
  std::string severity;  // info | warning | critical
  // Matching an alert is rule logic: pipeline/rules/routing.h (matches, route).
};

struct Route {
  AlertMatcher match;
  std::vector<std::string> sinks;  // sink names
  bool continue_matching = false;  // also try the routes after this one
};

// While an alert matching `source` fires on an account, that account's alerts
// matching `target` are not notified (an account gone silent mutes its
// engagement-drop alert).
struct Inhibition {
  AlertMatcher source;
  AlertMatcher target;
};

// Alerts matching `match` whose evaluation time is in [from, to) are not notified.
struct MuteWindow {
  AlertMatcher match;
  TimePoint from;
  TimePoint to;
  std::string comment;
};

// A daily or weekly review of each matching account (SPEC section 3, "Digests"):
// one record per account and period [to - every, to), where `to` is the local
// time `at` (on `weekday` for 7d) in the account's time zone. Built by
// pipeline/digests, emitted by the engine, delivered through the outbox.
struct Digest {
  std::string name;                               // required, unique: the first part of digest_id
  Millis every = std::chrono::days(1);            // 1d or 7d
  std::string every_text = "1d";                  // as written
  Millis at = Millis{0};                          // local time of day the periods end ("09:00")
  std::string at_text = "00:00";                  // as written
  std::string timezone = "UTC";                   // IANA name; an account's timezone overrides it
  int weekday = 0;                                // 7d only: 0 monday ... 6 sunday
  AlertMatcher match;                             // account and profile only; empty: every account
  std::optional<std::vector<std::string>> sinks;  // sink names; unset: every sink
};

struct OutboxConfig {
  std::size_t max_entries = 100'000;                // beyond this, no new messages are taken
  Millis drain_timeout = std::chrono::seconds(30);  // file source: wait at most this at the end
  Millis retry_initial = std::chrono::seconds(1);   // first retry of a failed delivery
  Millis retry_max = std::chrono::minutes(5);       // retries back off up to this
};

enum class SinkType { file, log, kafka, webhook, slack, teams, alertmanager };
std::string_view to_string(SinkType t);
std::optional<SinkType> parse_sink_type(std::string_view s);

// Each sink type's own options; SinkConfig holds the one of its type.
struct FileSinkOptions {
  std::string path;  // NDJSON file, resolved against the config dir
};
struct LogSinkOptions {};
struct KafkaSinkOptions {
  std::string topic;  // alerts are produced to it, keyed by account
};
// What every HTTP sink (webhook, slack, teams, alertmanager) takes.
struct HttpSinkOptions {
  std::string url;                             // from `url` or `url_file`; a secret, never logged
  Millis timeout = std::chrono::seconds(10);   // one request
  std::map<std::string, std::string> headers;  // extra request headers
};
struct WebhookSinkOptions {
  HttpSinkOptions http;
  std::string secret;  // HMAC-SHA256 key (`secret` or `secret_file`); empty: unsigned
  std::string signature_header = "X-Kilter-Signature";
};
struct SlackSinkOptions {
  HttpSinkOptions http;
  std::string channel, username, icon_emoji;  // override the webhook's; empty: its own
  std::size_t max_posts = 3;                  // top posts shown per alert
};
struct TeamsSinkOptions {
  HttpSinkOptions http;
  std::size_t max_posts = 3;  // top posts shown per alert
};
struct AlertmanagerSinkOptions {
  HttpSinkOptions http;
  Millis resend_interval = std::chrono::minutes(1);  // re-send firing alerts (< resolve_timeout)
  std::string generator_url;                         // base URL of this daemon's API
  std::map<std::string, std::string> labels;         // extra labels on every alert
};
// In SinkType's order: the alternative held is the sink's type.
using SinkOptions =
    std::variant<FileSinkOptions, LogSinkOptions, KafkaSinkOptions, WebhookSinkOptions,
                 SlackSinkOptions, TeamsSinkOptions, AlertmanagerSinkOptions>;

struct SinkConfig {
  std::string name;  // defaults to the type
  // How the outbox delivers to it, whatever its type.
  double rate_limit = 0;      // notifications per second; 0: no limit (slack, teams: 1)
  Millis group_wait{0};       // wait this long to send an account's alerts together
  Millis repeat_interval{0};  // slack, teams: remind of still-firing alerts; 0: never
  SinkOptions options = LogSinkOptions{};  // the type's own options
  SinkType type() const { return static_cast<SinkType>(options.index()); }
};
// The default options of a sink type.
SinkOptions default_sink_options(SinkType t);

struct HttpConfig {
  std::string listen = "127.0.0.1:9464";  // numeric IP (or localhost) and port
  // Connection bounds: at a bound a new connection closes the longest-waiting
  // one (idle first) rather than being refused, so health checks still get in.
  std::size_t max_connections = 256;                  // open connections in all
  std::size_t max_connections_per_client = 32;        // open connections from one peer address
  Millis idle_timeout = std::chrono::seconds(30);     // a connection waiting for a request
  Millis request_timeout = std::chrono::seconds(10);  // reading one request (headers and body)
  // When set, the API and the status page need `Authorization: Bearer <token>`
  // (/metrics and the health endpoints never do). From `token` or `token_file`.
  std::string token;
};

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error
};

struct Config {
  std::string file;  // where it was loaded from
  // What each ${VAR} reference expanded to -> the reference as written: output
  // (logs, errors) shows the reference instead of the value, which may be a secret.
  std::map<std::string, std::string> expansions;
  std::optional<FileSourceConfig> source;
  std::optional<KafkaConfig> kafka;
  StorageConfig storage;
  PipelineConfig pipeline;
  ClassifierConfig classifier;
  std::map<std::string, Profile> profiles;  // built-in brand and voice when absent
  std::vector<AccountMatcher> accounts;
  std::string default_profile = "brand";  // empty: unmatched accounts are not evaluated
  std::vector<SinkConfig> sinks;          // default: one log sink
  OutboxConfig outbox;
  std::vector<Route> routes;  // first match wins (unless continue_matching); empty: every sink
  std::optional<std::vector<std::string>> default_sinks;  // for alerts no route matches; unset: all
  std::vector<Inhibition> inhibit;
  std::vector<MuteWindow> mute;
  std::vector<Digest> digests;  // none by default
  HttpConfig http;
  LogConfig log;
};

// The profiles used when the file has no `profiles` section: brand and voice.
std::map<std::string, Profile> builtin_profiles();

// What applies to one account: its profile (nullptr when none), brand terms and
// campaigns.
struct AccountPolicy {
  const Profile* profile = nullptr;
  std::vector<std::string> brand_terms;              // profile's and account's
  const std::vector<Campaign>* campaigns = nullptr;  // the matching account entry's
  const std::string* timezone = nullptr;  // the entry's timezone when set (digests); null: none
};

AccountPolicy resolve_account(const Config& c, std::string_view account);

bool glob_match(std::string_view pattern, std::string_view s);

}  // namespace kilter::config

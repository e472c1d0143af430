// The sinks section: one typed entry per sink, with the keys its type takes.
// Secrets (URLs of webhooks, signing keys) come from ${ENV} or from a file.
#include <fmt/format.h>

#include <set>
#include <type_traits>
#include <variant>

#include "common/base64.h"
#include "config/reader.h"

namespace kilter::config::detail {
namespace {

constexpr std::string_view kSinkTypes[] = {"file",  "log",   "kafka",       "webhook",
                                           "slack", "teams", "alertmanager"};

// Keys every sink takes, then the keys of each type.
constexpr std::string_view kCommonKeys[] = {"type", "name", "rate_limit", "group_wait"};
constexpr std::string_view kHttpKeys[] = {"url", "url_file", "timeout", "headers"};
constexpr std::string_view kFileKeys[] = {"path"};
constexpr std::string_view kKafkaKeys[] = {"topic"};
constexpr std::string_view kWebhookKeys[] = {"secret", "secret_file", "signature_header"};
constexpr std::string_view kSlackKeys[] = {"channel", "username", "icon_emoji", "max_posts",
                                           "repeat_interval"};
constexpr std::string_view kTeamsKeys[] = {"max_posts", "repeat_interval"};
constexpr std::string_view kAlertmanagerKeys[] = {"resend_interval", "generator_url", "labels"};

bool is_http(SinkType t) {
  return t == SinkType::webhook || t == SinkType::slack || t == SinkType::teams ||
         t == SinkType::alertmanager;
}

std::vector<std::string_view> allowed_keys(SinkType t) {
  std::vector<std::string_view> keys(std::begin(kCommonKeys), std::end(kCommonKeys));
  auto add = [&](auto& list) { keys.insert(keys.end(), std::begin(list), std::end(list)); };
  if (is_http(t)) add(kHttpKeys);
  switch (t) {
    case SinkType::file:
      add(kFileKeys);
      break;
    case SinkType::log:
      break;
    case SinkType::kafka:
      add(kKafkaKeys);
      break;
    case SinkType::webhook:
      add(kWebhookKeys);
      break;
    case SinkType::slack:
      add(kSlackKeys);
      break;
    case SinkType::teams:
      add(kTeamsKeys);
      break;
    case SinkType::alertmanager:
      add(kAlertmanagerKeys);
      break;
  }
  return keys;
}

void require(Reader& r, const Field& parent, std::string_view key, std::string_view what) {
  r.error(parent.loc, child_path(parent.path, key), fmt::format("missing: {}", what));
}

// `key` or `key_file`, exactly one of them when `required`.
void read_secret(Reader& r, const FieldMap& m, const Field& item, std::string_view key,
                 bool required, std::string_view what, std::string& out) {
  const auto* inline_value = m.get(key);
  const auto* file = m.get(std::string(key) + "_file");
  if (inline_value && file) {
    r.error(*file, fmt::format("set {} or {}_file, not both", key, key));
    return;
  }
  if (inline_value) {
    r.nonempty_string(*inline_value, out);
  } else if (file) {
    r.file_contents(*file, out);
  } else if (required) {
    require(r, item, key, fmt::format("{} (or {}_file naming a file that holds it)", what, key));
  }
}

void read_http(Reader& r, const FieldMap& m, const Field& item, HttpSinkOptions& s) {
  read_secret(r, m, item, "url", true, "the URL alerts are posted to", s.url);
  if (!s.url.empty() && !s.url.starts_with("http://") && !s.url.starts_with("https://")) {
    const Field* at = m.get("url") ? m.get("url") : m.get("url_file");
    // The URL may hold a secret (Slack, Teams): the message does not show it.
    r.error(*at, "expected an http:// or https:// URL");
  }
  if (const auto* v = m.get("timeout")) r.positive_duration(*v, s.timeout);
  if (const auto* v = m.get("headers")) {
    r.string_map(*v, s.headers);
    for (const auto& [name, value] : s.headers) {
      bool bad = name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
                 value.find_first_of("\r\n") != std::string::npos;
      if (bad) r.error(*v, fmt::format("header '{}': invalid name or value", name));
    }
  }
}

void read_webhook(Reader& r, const FieldMap& m, const Field& item, WebhookSinkOptions& o) {
  read_secret(r, m, item, "secret", false, "", o.secret);
  if (o.secret.starts_with("whsec_") && !is_padded_base64(std::string_view(o.secret).substr(6))) {
    const auto* f = m.get("secret") ? m.get("secret") : m.get("secret_file");
    r.error(*f, "a whsec_ secret is whsec_ followed by the key in base64 (with padding)");
  }
  if (const auto* v = m.get("signature_header")) r.nonempty_string(*v, o.signature_header);
}

// Slack and Teams: how many posts an alert shows, and its reminders.
void read_chat(Reader& r, const FieldMap& m, std::size_t& max_posts, Millis& repeat_interval) {
  if (const auto* v = m.get("max_posts")) {
    std::uint64_t n = 0;
    if (r.count(*v, n)) max_posts = n;
  }
  if (const auto* v = m.get("repeat_interval")) r.duration(*v, repeat_interval);
}

// Returns false when even the type is unusable; other errors are reported but the
// sink still takes part in the name checks.
bool read_sink(Reader& r, const Field& item, SinkConfig& s, bool kafka_configured) {
  auto m = r.map(item, {});
  if (!m) return false;
  const auto* type = m->get("type");
  if (type == nullptr) {
    require(r, item, "type", fmt::format("one of {}", join_keys(kSinkTypes)));
    return false;
  }
  std::string type_name;
  if (!r.choice(*type, kSinkTypes, type_name)) return false;
  const SinkType t = *parse_sink_type(type_name);
  s.options = default_sink_options(t);
  s.name = type_name;
  auto keys = allowed_keys(t);
  r.reject_unknown(*m, keys);
  if (const auto* v = m->get("name")) r.nonempty_string(*v, s.name);
  // Slack and Teams throttle incoming webhooks at about one message per second.
  if (t == SinkType::slack || t == SinkType::teams) s.rate_limit = 1;
  if (const auto* v = m->get("rate_limit")) {
    double rate = 0;
    if (r.number(*v, rate)) {
      if (rate < 0)
        r.error(*v, "must be >= 0 (notifications per second; 0: no limit)");
      else
        s.rate_limit = rate;
    }
  }
  if (const auto* v = m->get("group_wait")) r.duration(*v, s.group_wait);
  // Keys are read in the order they were before per-type options (the errors'
  // order): the HTTP ones first, then the type's own.
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (requires { o.http; }) read_http(r, *m, item, o.http);
        if constexpr (std::is_same_v<T, FileSinkOptions>) {
          if (const auto* v = m->get("path"))
            r.nonempty_string(*v, o.path);
          else
            require(r, item, "path", "the NDJSON file alerts are appended to");
        } else if constexpr (std::is_same_v<T, KafkaSinkOptions>) {
          if (const auto* v = m->get("topic"))
            r.nonempty_string(*v, o.topic);
          else
            require(r, item, "topic", "the topic alerts are produced to");
          if (!kafka_configured)
            r.error(type->loc, type->path, "a kafka sink needs the kafka section (brokers)");
        } else if constexpr (std::is_same_v<T, WebhookSinkOptions>) {
          read_webhook(r, *m, item, o);
        } else if constexpr (std::is_same_v<T, SlackSinkOptions>) {
          if (const auto* v = m->get("channel")) r.nonempty_string(*v, o.channel);
          if (const auto* v = m->get("username")) r.nonempty_string(*v, o.username);
          if (const auto* v = m->get("icon_emoji")) r.nonempty_string(*v, o.icon_emoji);
          read_chat(r, *m, o.max_posts, s.repeat_interval);
        } else if constexpr (std::is_same_v<T, TeamsSinkOptions>) {
          read_chat(r, *m, o.max_posts, s.repeat_interval);
        } else if constexpr (std::is_same_v<T, AlertmanagerSinkOptions>) {
          if (const auto* v = m->get("resend_interval")) r.positive_duration(*v, o.resend_interval);
          if (const auto* v = m->get("generator_url")) r.nonempty_string(*v, o.generator_url);
          if (const auto* v = m->get("labels")) r.string_map(*v, o.labels);
        }
      },
      s.options);
  return true;
}

// Route and default_sinks references are checked here, where the names are known.
void check_names(Reader& r, const Field& f, const std::vector<std::string>& names,
                 const std::set<std::string>& known) {
  for (const auto& n : names) {
    if (known.contains(n)) continue;
    std::vector<std::string_view> list(known.begin(), known.end());
    r.error(f, fmt::format("unknown sink '{}'; sinks: {}", n, join_keys(list)));
  }
}

}  // namespace

void read_sinks(Reader& r, const Field& f, Config& c) {
  auto items = r.list(f);
  if (!items) return;
  if (items->empty()) {
    r.error(f, "no sinks: alerts would be dropped (remove the key for the default log sink)");
    return;
  }
  std::vector<SinkConfig> sinks;
  std::map<std::string, int> names;
  for (const auto& item : *items) {
    SinkConfig s;
    if (!read_sink(r, item, s, c.kafka.has_value())) continue;
    if (auto [pos, fresh] = names.emplace(s.name, item.loc.line); !fresh) {
      r.error(item.loc, child_path(item.path, "name"),
              fmt::format("sink name '{}' is already used by the sink at line {}; give each "
                          "sink a distinct name",
                          s.name, pos->second));
      continue;
    }
    sinks.push_back(std::move(s));
  }
  c.sinks = std::move(sinks);
}

void check_sink_references(Reader& r, const Config& c) {
  std::set<std::string> known;
  for (const auto& s : c.sinks) known.insert(s.name);
  for (std::size_t i = 0; i < c.routes.size(); ++i) {
    auto path = child_path(index_path("routes", i), "sinks");
    Field at{{}, r.where(path), path, "sinks", {}};
    check_names(r, at, c.routes[i].sinks, known);
  }
  if (c.default_sinks) {
    Field at{{}, r.where("default_sinks"), "default_sinks", "default_sinks", {}};
    check_names(r, at, *c.default_sinks, known);
  }
}

}  // namespace kilter::config::detail

// Sections other than profiles and accounts: each reader checks its keys and
// types and fills the section, leaving struct defaults for what is not written.
#include <arpa/inet.h>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "config/reader.h"

namespace kilter::config::detail {
namespace {

constexpr std::string_view kSourceKeys[] = {"file"};
constexpr std::string_view kKafkaKeys[] = {
    "brokers",         "group_id",         "topics",    "dead_letter_topic",
    "changelog_topic", "standby_replicas", "properties"};
constexpr std::string_view kStorageKeys[] = {"path",
                                             "bucket",
                                             "retention",
                                             "commit_interval",
                                             "commit_max_events",
                                             "block_cache_mib",
                                             "memtable_mib",
                                             "min_free_mib"};
constexpr std::string_view kPipelineKeys[] = {
    "allowed_lateness", "evaluation_interval", "max_event_bytes", "engagement_weights",
    "dedupe_max_ids",   "post_cache_posts",    "max_future_skew"};
constexpr std::string_view kActionKeys[] = {"reply", "repost", "quote",
                                            "like",  "click",  "impression"};
constexpr std::string_view kClassifierKeys[] = {"method", "model", "languages", "extra_lexicons",
                                                "min_confidence"};
constexpr std::string_view kClassifierMethods[] = {"model", "lexicon"};
constexpr std::string_view kLanguages[] = {"en", "fr"};
constexpr std::string_view kHttpKeys[] = {
    "listen",       "token",          "token_file", "max_connections", "max_connections_per_client",
    "idle_timeout", "request_timeout"};
constexpr std::string_view kLogKeys[] = {"level"};
constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

// librdkafka settings that have their own key here: two spellings of one setting
// would leave the reader guessing which one wins.
constexpr std::string_view kOwnedProperties[][2] = {{"bootstrap.servers", "kafka.brokers"},
                                                    {"group.id", "kafka.group_id"}};

// What the HTTP server can bind: a numeric IPv4 address, a bracketed IPv6
// one, or "localhost" (the daemon resolves no name at start-up), and a port.
bool valid_listen(std::string_view s) {
  std::string_view host, port;
  bool v6 = false;
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return false;
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
    v6 = true;
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return false;
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return false;  // IPv6 needs brackets
  }
  if (host.empty() || port.empty()) return false;
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc{} || end != port.data() + port.size() || p > 65535) return false;
  if (!v6 && host == "localhost") return true;
  std::string h(host);
  unsigned char addr[sizeof(in6_addr)];
  return ::inet_pton(v6 ? AF_INET6 : AF_INET, h.c_str(), addr) == 1;
}

// Kafka's rule for topic names.
constexpr std::string_view kTopicRule =
    "a topic name is 1 to 249 of a-z A-Z 0-9 . _ - (\"\": no changelog)";
bool valid_topic(std::string_view t) {
  if (t.empty()) return true;  // no changelog
  if (t.size() > 249 || t == "." || t == "..") return false;
  return std::all_of(t.begin(), t.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
  });
}

void require(Reader& r, const Field& parent, std::string_view key, std::string_view what) {
  r.error(parent.loc, child_path(parent.path, key), fmt::format("missing: {}", what));
}

}  // namespace

void read_source(Reader& r, const Field& f, Config& c) {
  c.source = FileSourceConfig{};
  auto m = r.map(f, kSourceKeys);
  if (!m) return;
  if (const auto* file = m->get("file"))
    r.nonempty_string(*file, c.source->path);
  else
    require(r, f, "file", "the NDJSON file to replay, or - for stdin");
}

void read_kafka(Reader& r, const Field& f, Config& c) {
  c.kafka = KafkaConfig{};
  auto& k = *c.kafka;
  auto m = r.map(f, kKafkaKeys);
  if (!m) return;
  if (const auto* v = m->get("brokers")) r.nonempty_string(*v, k.brokers);
  if (const auto* v = m->get("group_id")) r.nonempty_string(*v, k.group_id);
  if (const auto* v = m->get("dead_letter_topic")) r.string(*v, k.dead_letter_topic);
  if (const auto* v = m->get("changelog_topic")) {
    if (r.string(*v, k.changelog_topic) && !valid_topic(k.changelog_topic))
      r.error(*v, std::string(kTopicRule));
  } else {
    k.changelog_topic = k.group_id + ".changelog";
    if (!valid_topic(k.changelog_topic)) {
      const auto* g = m->get("group_id");
      r.error(g != nullptr ? g->loc : f.loc, child_path(f.path, "changelog_topic"),
              fmt::format("the default \"<group_id>.changelog\" is no topic name: set "
                          "kafka.changelog_topic ({})",
                          kTopicRule));
    }
  }
  if (const auto* v = m->get("standby_replicas")) {
    std::uint64_t n = 0;
    if (r.count(*v, n)) {
      if (n > 64)
        r.error(*v, "must be at most 64 (the instances other than a partition's owner)");
      else if (n > 0 && k.changelog_topic.empty())
        r.error(*v, "standbys follow the changelog: set kafka.changelog_topic (not \"\")");
      else
        k.standby_replicas = static_cast<int>(n);
    }
  }
  if (const auto* v = m->get("topics")) {
    std::vector<std::string> topics;
    if (r.string_list(*v, topics)) {
      if (topics.empty())
        r.error(*v, "must list at least one topic");
      else
        k.topics = std::move(topics);
    }
  }
  // The changelog holds records of its own format: never input, never dead letters,
  // whether its name is written or made from the group id.
  if (!k.changelog_topic.empty() &&
      (std::find(k.topics.begin(), k.topics.end(), k.changelog_topic) != k.topics.end() ||
       k.changelog_topic == k.dead_letter_topic)) {
    if (const auto* v = m->get("changelog_topic")) {
      r.error(*v, "the changelog needs a topic of its own (not an input or dead-letter topic)");
    } else {
      const auto* g = m->get("group_id");
      r.error(g != nullptr ? g->loc : f.loc, child_path(f.path, "changelog_topic"),
              fmt::format("the default changelog topic \"{}\" (\"<group_id>.changelog\") is an "
                          "input or dead-letter topic: set kafka.changelog_topic",
                          k.changelog_topic));
    }
  }
  if (const auto* v = m->get("properties")) {
    auto props = r.map(*v, {});
    if (!props) return;
    for (const auto& p : props->all()) {
      bool owned = false;
      for (const auto& [name, instead] : kOwnedProperties) {
        if (p.key == name) {
          r.error(p.key_loc, p.path, fmt::format("set {} instead", instead));
          owned = true;
        }
      }
      std::string value;
      if (!owned && r.string(p, value)) k.properties[p.key] = std::move(value);
    }
  }
}

void read_storage(Reader& r, const Field& f, Config& c) {
  auto& s = c.storage;
  auto m = r.map(f, {});  // keys checked here: a removed one gets its own message
  if (!m) return;
  std::erase_if(m->mutable_all(), [&](const Field& k) {
    if (k.key != "dedupe_horizon") return false;
    r.error(k.key_loc, k.path,
            "no longer used: event ids are remembered while a copy could still be counted "
            "(within pipeline.allowed_lateness); remove it (pipeline.dedupe_max_ids bounds "
            "their number)");
    return true;
  });
  r.reject_unknown(*m, kStorageKeys);
  if (const auto* v = m->get("path")) r.nonempty_string(*v, s.path);
  if (const auto* v = m->get("bucket")) r.positive_duration(*v, s.bucket);
  if (const auto* v = m->get("retention")) r.positive_duration(*v, s.retention);
  if (const auto* v = m->get("commit_interval")) r.positive_duration(*v, s.commit_interval);
  if (const auto* v = m->get("commit_max_events")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) s.commit_max_events = n;
  }
  if (const auto* v = m->get("block_cache_mib")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) s.block_cache_mib = n;
  }
  if (const auto* v = m->get("memtable_mib")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) {
      if (n < 8)
        r.error(*v, "must be >= 8 (a write buffer per column family)");
      else
        s.memtable_mib = n;
    }
  }
  if (const auto* v = m->get("min_free_mib")) {
    std::uint64_t n = 0;
    if (r.count(*v, n)) s.min_free_mib = n;
  }
}

void read_pipeline(Reader& r, const Field& f, Config& c) {
  auto& p = c.pipeline;
  auto m = r.map(f, kPipelineKeys);
  if (!m) return;
  if (const auto* v = m->get("allowed_lateness")) r.duration(*v, p.allowed_lateness);
  if (const auto* v = m->get("evaluation_interval")) r.positive_duration(*v, p.evaluation_interval);
  if (const auto* v = m->get("max_future_skew")) r.duration(*v, p.max_future_skew);
  if (const auto* v = m->get("max_event_bytes")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) p.max_event_bytes = n;
  }
  if (const auto* v = m->get("dedupe_max_ids")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) p.dedupe_max_ids = n;
  }
  if (const auto* v = m->get("post_cache_posts")) {
    std::uint64_t n = 0;
    if (r.positive_count(*v, n)) p.post_cache_posts = n;
  }
  if (const auto* v = m->get("engagement_weights")) {
    auto weights = r.map(*v, kActionKeys);
    if (!weights) return;
    for (const auto& w : weights->all()) {
      auto action = parse_action(w.key);
      double value = 0;
      if (!action || !r.number(w, value)) continue;
      if (value < 0)
        r.error(w, "must be >= 0");
      else if (value > kMaxEngagementWeight)
        r.error(w, "must be at most 1000000");
      else
        p.engagement_weights[static_cast<std::size_t>(*action)] = value;
    }
  }
}

void read_classifier(Reader& r, const Field& f, Config& c) {
  auto& k = c.classifier;
  auto m = r.map(f, kClassifierKeys);
  if (!m) return;
  if (const auto* v = m->get("method")) {
    std::string method;
    if (r.choice(*v, kClassifierMethods, method))
      k.method = method == "lexicon" ? ClassifierMethod::lexicon : ClassifierMethod::model;
  }
  if (const auto* v = m->get("model")) {
    r.nonempty_string(*v, k.model);
    if (k.method == ClassifierMethod::lexicon && m->get("method"))
      r.error(*v, "a model file is not used with method: lexicon");
  }
  if (const auto* v = m->get("languages")) {
    if (auto items = r.list(*v)) {
      std::vector<std::string> langs;
      for (const auto& item : *items) {
        std::string lang;
        if (!r.choice(item, kLanguages, lang)) continue;
        if (std::find(langs.begin(), langs.end(), lang) != langs.end())
          r.error(item, fmt::format("language '{}' is listed twice", lang));
        else
          langs.push_back(lang);
      }
      k.languages = std::move(langs);
    }
  }
  if (const auto* v = m->get("extra_lexicons")) r.string_list(*v, k.extra_lexicons);
  if (const auto* v = m->get("min_confidence")) {
    double x = 0;
    if (r.number(*v, x)) {
      if (x < 0 || x > 1)
        r.error(*v, "must be between 0 and 1");
      else
        k.min_confidence = x;
    }
  }
}

void read_http(Reader& r, const Field& f, Config& c) {
  auto m = r.map(f, kHttpKeys);
  if (!m) return;
  const auto* token = m->get("token");
  const auto* token_file = m->get("token_file");
  if (token && token_file)
    r.error(*token_file, "set token or token_file, not both");
  else if (token)
    r.nonempty_string(*token, c.http.token);
  else if (token_file)
    r.file_contents(*token_file, c.http.token);
  std::uint64_t n = 0;
  if (const auto* v = m->get("max_connections"); v && r.positive_count(*v, n))
    c.http.max_connections = n;
  if (const auto* v = m->get("max_connections_per_client"); v && r.positive_count(*v, n))
    c.http.max_connections_per_client = n;
  if (const auto* v = m->get("idle_timeout")) r.positive_duration(*v, c.http.idle_timeout);
  if (const auto* v = m->get("request_timeout")) r.positive_duration(*v, c.http.request_timeout);
  if (const auto* v = m->get("listen")) {
    auto s = r.scalar(*v);
    if (!s) return;
    if (valid_listen(s->text))
      c.http.listen = s->text;
    else
      r.error(*v, fmt::format("expected a numeric address (or localhost) and a port from 0 to "
                              "65535, like 127.0.0.1:9464 or [::1]:9464 (got {})",
                              s->shown()));
  }
}

void read_log(Reader& r, const Field& f, Config& c) {
  auto m = r.map(f, kLogKeys);
  if (!m) return;
  if (const auto* v = m->get("level")) r.choice(*v, kLogLevels, c.log.level);
}

}  // namespace kilter::config::detail

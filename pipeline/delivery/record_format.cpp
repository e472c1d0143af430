#include "pipeline/delivery/record_format.h"
#include "pipeline/delivery/record_format_internal.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "common/json.h"
#include "common/time.h"

namespace kilter::pipeline {
namespace {

namespace od = simdjson::ondemand;

void key(std::string& out, std::string_view k) {
  json::append_string(out, k);
  out.push_back(':');
}

}  // namespace

namespace record_json {

void optional_number(std::string& out, const std::optional<double>& v) {
  if (v)
    json::append_number(out, *v);
  else
    out += "null";
}

void string_array(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out.push_back(',');
    json::append_string(out, v[i]);
  }
  out.push_back(']');
}

void top_post(std::string& out, const TopPost& p) {
  out += "{\"post_id\":";
  json::append_string(out, p.post_id);
  out += ",\"category\":";
  json::append_string(out, to_string(p.category));
  out += ",\"engagement\":";
  json::append_number(out, p.engagement);
  out += ",\"confidence\":";
  json::append_number(out, p.confidence);
  out += ",\"matched\":";
  string_array(out, p.matched);
  out += ",\"link\":";
  if (p.link.empty())
    out += "null";
  else
    json::append_string(out, p.link);
  out.push_back('}');
}

}  // namespace record_json

using record_json::index_named;
using record_json::optional_number;
using record_json::string_array;

void append_advice(std::string& out, const Advice& a) {
  out += "{\"rule\":";
  json::append_string(out, a.rule);
  out += ",\"metric\":";
  json::append_string(out, a.metric);
  out += ",\"window\":";
  json::append_string(out, a.window);
  out += ",\"status\":";
  json::append_string(out, a.status);
  out += ",\"value\":";
  json::append_number(out, a.value);
  out += ",\"limit\":";
  optional_number(out, a.limit);
  fmt::format_to(std::back_inserter(out), ",\"posts_needed\":{},\"of\":[", a.posts_needed);
  for (std::size_t i = 0; i < a.of.size(); ++i) {
    if (i) out.push_back(',');
    json::append_string(out, to_string(a.of[i]));
  }
  fmt::format_to(std::back_inserter(out), "],\"leaving\":{},\"within_by\":", a.leaving);
  if (a.within_by)
    json::append_string(out, format_rfc3339(*a.within_by));
  else
    out += "null";
  out += ",\"pace_per_day\":";
  optional_number(out, a.pace_per_day);
  out += ",\"text\":";
  json::append_string(out, a.text);
  out.push_back('}');
}

namespace {

void append_evidence(std::string& out, const Evidence& e) {
  out += "{\"posts\":{";
  for (std::size_t c = 0; c < kCategories; ++c) {
    if (c) out.push_back(',');
    key(out, to_string(static_cast<Category>(c)));
    fmt::format_to(std::back_inserter(out), "{}", e.posts[c]);
  }
  out += "},\"engagement\":{";
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    if (c) out.push_back(',');
    key(out, to_string(static_cast<EngagementClass>(c)));
    json::append_number(out, e.engagement[c]);
  }
  out.push_back('}');
  if (e.followers) {
    fmt::format_to(
        std::back_inserter(out),
        ",\"followers\":{{\"first\":{},\"last\":{},\"first_at\":\"{}\",\"last_at\":\"{}\"}}",
        e.followers->first, e.followers->last, format_rfc3339(e.followers->first_at),
        format_rfc3339(e.followers->last_at));
  }
  if (e.baseline) {
    out += ",\"baseline\":{";
    key(out, "window");
    json::append_string(out, e.baseline->window);
    fmt::format_to(std::back_inserter(out), ",\"posts\":{},\"engagement\":", e.baseline->posts);
    json::append_number(out, e.baseline->engagement);
    out += ",\"engagement_per_post\":";
    optional_number(out, e.baseline->engagement_per_post);
    out.push_back('}');
  }
  out += ",\"top_posts\":[";
  for (std::size_t i = 0; i < e.top_posts.size(); ++i) {
    if (i) out.push_back(',');
    record_json::top_post(out, e.top_posts[i]);
  }
  out += "],\"matched_terms\":";
  string_array(out, e.matched_terms);
  if (e.advice) {
    out += ",\"advice\":";
    append_advice(out, *e.advice);
  }
  out.push_back('}');
}

// Reads one record with simdjson's on-demand front end (its get_double keeps a
// "-0" negative, as to_json wrote it), keeping the first problem met.
class FieldReader {
 public:
  std::string error;

  void fail(std::string_view key, std::string_view what) {
    if (error.empty()) error = fmt::format("\"{}\": {}", key, what);
  }
  bool ok() const { return error.empty(); }

  // False when the value is null (then consumed) or unreadable.
  bool present(od::value& v, std::string_view key) {
    bool null = false;
    if (v.is_null().get(null) != simdjson::SUCCESS) {
      fail(key, "not valid JSON");
      return false;
    }
    return !null;
  }
  std::string string(od::value v, std::string_view key) {
    std::string_view s;
    if (present(v, key) && v.get_string().get(s) != simdjson::SUCCESS) fail(key, "not a string");
    return std::string(s);
  }
  std::optional<double> number(od::value v, std::string_view key) {
    double d = 0;
    if (!present(v, key)) return std::nullopt;
    if (v.get_double().get(d) != simdjson::SUCCESS) fail(key, "not a number");
    return d;
  }
  // Null reads as NaN: what to_json writes for a non-finite number.
  double number_or_nan(od::value v, std::string_view key) {
    return number(v, key).value_or(std::numeric_limits<double>::quiet_NaN());
  }
  std::uint64_t count(od::value v, std::string_view key) {
    std::uint64_t n = 0;
    if (present(v, key) && v.get_uint64().get(n) != simdjson::SUCCESS)
      fail(key, "not a non-negative integer");
    return n;
  }
  std::int64_t integer(od::value v, std::string_view key) {
    std::int64_t n = 0;
    if (present(v, key) && v.get_int64().get(n) != simdjson::SUCCESS) fail(key, "not an integer");
    return n;
  }
  std::optional<TimePoint> time(od::value v, std::string_view key) {
    const std::string text = string(v, key);
    if (!ok() || text.empty()) return std::nullopt;
    auto t = parse_rfc3339(text);
    if (!t) fail(key, "not an RFC 3339 time");
    return t;
  }
  // Calls field(key, value) for each member; false when null or not an object.
  template <class F>
  bool object(od::value v, std::string_view key, F&& field) {
    od::object o;
    if (!present(v, key)) return false;
    if (v.get_object().get(o) != simdjson::SUCCESS) {
      fail(key, "not an object");
      return false;
    }
    return members(o, key, field);
  }
  template <class F>
  bool members(od::object& o, std::string_view key, F&& field) {
    for (auto member : o) {
      od::field f;
      std::string_view k;
      if (std::move(member).get(f) != simdjson::SUCCESS ||
          f.unescaped_key().get(k) != simdjson::SUCCESS) {
        fail(key, "not valid JSON");
        return false;
      }
      field(k, f.value());
      if (!ok()) return false;
    }
    return true;
  }
  template <class F>
  void array(od::value v, std::string_view key, F&& item) {
    od::array a;
    if (!present(v, key)) return;
    if (v.get_array().get(a) != simdjson::SUCCESS) return fail(key, "not an array");
    for (auto element : a) {
      od::value e;
      if (std::move(element).get(e) != simdjson::SUCCESS) return fail(key, "not valid JSON");
      item(e);
      if (!ok()) return;
    }
  }
  std::vector<std::string> strings(od::value v, std::string_view key) {
    std::vector<std::string> out;
    array(v, key, [&](od::value e) {
      std::string_view s;
      if (e.get_string().get(s) != simdjson::SUCCESS)
        fail(key, "holds a value that is not a string");
      else
        out.emplace_back(s);
    });
    return out;
  }
};

void read_top_post(FieldReader& in, od::value v, Evidence& e) {
  TopPost& t = e.top_posts.emplace_back();
  t.engagement = t.confidence = std::numeric_limits<double>::quiet_NaN();  // absent: not known
  const bool object = in.object(v, "top_posts", [&](std::string_view k, od::value f) {
    if (k == "post_id") {
      t.post_id = in.string(f, k);
    } else if (k == "category") {
      const std::string name = in.string(f, k);
      if (auto c = index_named<Category, kCategories>(name))
        t.category = static_cast<Category>(*c);
      else if (in.ok())
        in.fail(k, fmt::format("\"{}\" is not a category", name));
    } else if (k == "engagement") {
      t.engagement = in.number_or_nan(f, k);
    } else if (k == "confidence") {
      t.confidence = in.number_or_nan(f, k);
    } else if (k == "matched") {
      t.matched = in.strings(f, k);
    } else if (k == "link") {
      t.link = in.string(f, k);
    }
  });
  if (!object && in.ok()) in.fail("top_posts", "holds a null");
}

void read_advice(FieldReader& in, od::value v, Evidence& e) {
  Advice a;
  a.value = std::numeric_limits<double>::quiet_NaN();  // absent: not known
  if (!in.object(v, "advice", [&](std::string_view m, od::value f) {
        if (m == "rule") a.rule = in.string(f, m);
        if (m == "metric") a.metric = in.string(f, m);
        if (m == "window") a.window = in.string(f, m);
        if (m == "status") a.status = in.string(f, m);
        if (m == "value") a.value = in.number_or_nan(f, m);
        if (m == "limit") a.limit = in.number(f, m);
        if (m == "posts_needed") a.posts_needed = in.count(f, m);
        if (m == "leaving") a.leaving = in.count(f, m);
        if (m == "within_by") a.within_by = in.time(f, m);
        if (m == "pace_per_day") a.pace_per_day = in.number(f, m);
        if (m == "text") a.text = in.string(f, m);
        if (m == "of")
          for (const auto& name : in.strings(f, m)) {
            if (auto c = index_named<Category, kCategories>(name))
              a.of.push_back(static_cast<Category>(*c));
            else if (in.ok())
              in.fail(m, fmt::format("\"{}\" is not a category", name));
          }
      }))
    return;
  e.advice = std::move(a);
}

void read_evidence(FieldReader& in, std::string_view k, od::value f, Evidence& e) {
  if (k == "posts") {
    in.object(f, k, [&](std::string_view c, od::value n) {
      if (auto i = index_named<Category, kCategories>(c)) e.posts[*i] = in.count(n, c);
    });
  } else if (k == "engagement") {
    in.object(f, k, [&](std::string_view c, od::value n) {
      if (auto i = index_named<EngagementClass, kEngagementClasses>(c))
        e.engagement[*i] = in.number_or_nan(n, c);
    });
  } else if (k == "followers") {
    FollowerEvidence fe;
    if (in.object(f, k, [&](std::string_view m, od::value v) {
          if (m == "first") fe.first = in.integer(v, m);
          if (m == "last") fe.last = in.integer(v, m);
          if (m == "first_at") fe.first_at = in.time(v, m).value_or(TimePoint{});
          if (m == "last_at") fe.last_at = in.time(v, m).value_or(TimePoint{});
        }))
      e.followers = fe;
  } else if (k == "baseline") {
    BaselineEvidence b;
    if (in.object(f, k, [&](std::string_view m, od::value v) {
          if (m == "window") b.window = in.string(v, m);
          if (m == "posts") b.posts = in.count(v, m);
          if (m == "engagement") b.engagement = in.number_or_nan(v, m);
          if (m == "engagement_per_post") b.engagement_per_post = in.number(v, m);
        }))
      e.baseline = std::move(b);
  } else if (k == "top_posts") {
    in.array(f, k, [&](od::value v) { read_top_post(in, v, e); });
  } else if (k == "matched_terms") {
    e.matched_terms = in.strings(f, k);
  } else if (k == "advice") {
    read_advice(in, f, e);
  }
}

}  // namespace

std::string to_json(const AlertRecord& r) {
  std::string out;
  out.reserve(512);
  // "type" first: a reader of a stream of alerts and digests sees it at once.
  out += "{\"type\":\"alert\",";
  key(out, "alert_id");
  json::append_string(out, r.alert_id);
  out += ",\"account\":";
  json::append_string(out, r.account);
  out += ",\"rule\":";
  json::append_string(out, r.rule);
  out += ",\"metric\":";
  json::append_string(out, r.metric);
  out += ",\"window\":";
  json::append_string(out, r.window);
  out += ",\"status\":";
  json::append_string(out, to_string(r.status));
  out += ",\"value\":";
  json::append_number(out, r.value);
  out += ",\"min\":";
  optional_number(out, r.min);
  out += ",\"max\":";
  optional_number(out, r.max);
  out += ",\"starts_at\":";
  json::append_string(out, format_rfc3339(r.starts_at));
  out += ",\"ends_at\":";
  if (r.ends_at)
    json::append_string(out, format_rfc3339(*r.ends_at));
  else
    out += "null";
  out += ",\"summary\":";
  json::append_string(out, r.summary);
  out += ",\"evidence\":";
  append_evidence(out, r.evidence);
  out += ",\"profile\":";
  json::append_string(out, r.profile);
  out += ",\"severity\":";
  json::append_string(out, r.severity);
  if (!r.campaign.empty()) {
    out += ",\"campaign\":";
    json::append_string(out, r.campaign);
  }
  out.push_back('}');
  return out;
}

Result<AlertRecord> parse_alert_record(std::string_view json) {
  thread_local od::parser parser;
  const simdjson::padded_string padded(json);
  od::document doc;
  od::object o;
  if (const auto err = parser.iterate(padded).get(doc))
    return Error{fmt::format("not valid JSON ({})", simdjson::error_message(err))};
  if (doc.get_object().get(o) != simdjson::SUCCESS) return Error{"not a JSON object"};

  FieldReader in;
  AlertRecord r;
  r.value = std::numeric_limits<double>::quiet_NaN();  // absent: not known
  std::string status;
  std::string type;
  bool typed = false;
  std::optional<TimePoint> starts_at;
  in.members(o, "record", [&](std::string_view k, od::value f) {
    if (k == "type") {
      // As for digests: record_type reads the first "type"; a repeated one is refused.
      if (typed) in.fail(k, "repeated");
      typed = true;
      type = in.string(f, k);
    } else if (k == "alert_id")
      r.alert_id = in.string(f, k);
    else if (k == "account")
      r.account = in.string(f, k);
    else if (k == "rule")
      r.rule = in.string(f, k);
    else if (k == "metric")
      r.metric = in.string(f, k);
    else if (k == "window")
      r.window = in.string(f, k);
    else if (k == "status")
      status = in.string(f, k);
    else if (k == "value")
      r.value = in.number_or_nan(f, k);
    else if (k == "min")
      r.min = in.number(f, k);
    else if (k == "max")
      r.max = in.number(f, k);
    else if (k == "starts_at")
      starts_at = in.time(f, k);
    else if (k == "ends_at")
      r.ends_at = in.time(f, k);
    else if (k == "summary")
      r.summary = in.string(f, k);
    else if (k == "profile")
      r.profile = in.string(f, k);
    else if (k == "severity")
      r.severity = in.string(f, k);
    else if (k == "campaign")
      r.campaign = in.string(f, k);
    else if (k == "evidence")
      in.object(f, k,
                [&](std::string_view e, od::value v) { read_evidence(in, e, v, r.evidence); });
  });
  // Past the object, nothing but white space: the location is then out of bounds.
  const char* rest = nullptr;
  if (in.ok() && doc.current_location().get(rest) == simdjson::SUCCESS)
    in.fail("record", "trailing content after the object");
  for (const auto& [key, v] :
       {std::pair<std::string_view, const std::string*>{"alert_id", &r.alert_id},
        {"account", &r.account},
        {"status", &status},
        {"summary", &r.summary}})
    if (v->empty()) in.fail(key, "missing or empty");
  if (status == "resolved")
    r.status = AlertStatus::resolved;
  else if (status != "firing")
    in.fail("status", fmt::format("\"{}\" is neither firing nor resolved", status));
  if (!starts_at) in.fail("starts_at", "missing");
  // Records written before "type" existed have none.
  if (!type.empty() && type != "alert")
    in.fail("type", fmt::format("\"{}\" is not an alert record", type));
  if (!in.ok()) return Error{std::move(in.error)};
  r.starts_at = *starts_at;
  return r;
}

std::string render_alert_line(const AlertRecord& r) {
  std::string status(to_string(r.status));
  for (auto& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt::format("{:<8} {:<24} {:<20} {}", status, r.alert_id, r.rule, r.summary);
}

}  // namespace kilter::pipeline

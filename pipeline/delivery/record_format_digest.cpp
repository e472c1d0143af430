// The digest record's JSON line (SPEC section 3, "Digests") and its one reader
// (the outbox's restore). Key order as in the issue that made the contract.
#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <limits>

#include "common/json.h"
#include "common/time.h"
#include "pipeline/delivery/record_format.h"
#include "pipeline/delivery/record_format_internal.h"

namespace kilter::pipeline {
namespace {

using record_json::index_named;
using record_json::optional_number;
using record_json::string_array;

void key(std::string& out, std::string_view k) {
  out.push_back(',');
  json::append_string(out, k);
  out.push_back(':');
}

void actions(std::string& out, const std::array<std::uint64_t, kActions>& a) {
  out.push_back('{');
  for (std::size_t i = 0; i < kActions; ++i) {
    if (i) out.push_back(',');
    json::append_string(out, to_string(static_cast<Action>(i)));
    fmt::format_to(std::back_inserter(out), ":{}", a[i]);
  }
  out.push_back('}');
}

// ---- reading (simdjson's DOM: off the hot path, once per stored entry)

namespace dom = simdjson::dom;

class Reader {
 public:
  std::string error;
  void fail(std::string_view k, std::string_view what) {
    if (error.empty()) error = fmt::format("\"{}\": {}", k, what);
  }
  std::string string(dom::element e, std::string_view k) {
    std::string_view s;
    if (!e.is_null() && e.get_string().get(s) != simdjson::SUCCESS) fail(k, "not a string");
    return std::string(s);
  }
  std::optional<double> number(dom::element e, std::string_view k) {
    if (e.is_null()) return std::nullopt;
    double d = 0;
    if (e.get_double().get(d) != simdjson::SUCCESS) fail(k, "not a number");
    return d;
  }
  double number_or_nan(dom::element e, std::string_view k) {
    return number(e, k).value_or(std::numeric_limits<double>::quiet_NaN());
  }
  std::uint64_t count(dom::element e, std::string_view k) {
    std::uint64_t n = 0;
    if (!e.is_null() && e.get_uint64().get(n) != simdjson::SUCCESS)
      fail(k, "not a non-negative integer");
    return n;
  }
  std::int64_t integer(dom::element e, std::string_view k) {
    std::int64_t n = 0;
    if (!e.is_null() && e.get_int64().get(n) != simdjson::SUCCESS) fail(k, "not an integer");
    return n;
  }
  std::optional<TimePoint> time(dom::element e, std::string_view k) {
    const auto s = string(e, k);
    if (s.empty()) return std::nullopt;
    auto t = parse_rfc3339(s);
    if (!t) fail(k, "not an RFC 3339 time");
    return t;
  }
  // fn(key, value) per member; false (and an error) when not an object.
  template <class F>
  bool object(dom::element e, std::string_view k, F&& fn) {
    if (e.is_null()) return false;
    dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS) {
      fail(k, "not an object");
      return false;
    }
    for (auto [name, value] : o) fn(name, value);
    return true;
  }
  template <class F>
  void array(dom::element e, std::string_view k, F&& fn) {
    if (e.is_null()) return;
    dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) return fail(k, "not an array");
    for (auto item : a) fn(item);
  }
  std::vector<std::string> strings(dom::element e, std::string_view k) {
    std::vector<std::string> out;
    array(e, k, [&](dom::element s) { out.push_back(string(s, k)); });
    return out;
  }
};

std::optional<Category> category_named(std::string_view name) {
  if (auto i = index_named<Category, kCategories>(name)) return static_cast<Category>(*i);
  return std::nullopt;
}

void read_actions(Reader& in, dom::element e, std::string_view k,
                  std::array<std::uint64_t, kActions>& out) {
  in.object(e, k, [&](std::string_view a, dom::element n) {
    if (auto i = index_named<Action, kActions>(a)) out[*i] = in.count(n, a);
  });
}

TopPost read_top_post(Reader& in, dom::element e) {
  TopPost t;
  t.engagement = t.confidence = std::numeric_limits<double>::quiet_NaN();
  in.object(e, "top_posts", [&](std::string_view k, dom::element v) {
    if (k == "post_id") t.post_id = in.string(v, k);
    if (k == "category") {
      const auto name = in.string(v, k);
      if (auto c = category_named(name))
        t.category = *c;
      else
        in.fail(k, fmt::format("\"{}\" is not a category", name));
    }
    if (k == "engagement") t.engagement = in.number_or_nan(v, k);
    if (k == "confidence") t.confidence = in.number_or_nan(v, k);
    if (k == "matched") t.matched = in.strings(v, k);
    if (k == "link") t.link = in.string(v, k);
  });
  return t;
}

DigestRule read_rule(Reader& in, dom::element e) {
  DigestRule r;
  in.object(e, "rules", [&](std::string_view k, dom::element v) {
    if (k == "rule") r.rule = in.string(v, k);
    if (k == "metric") r.metric = in.string(v, k);
    if (k == "window") r.window = in.string(v, k);
    if (k == "value") r.value = in.number(v, k);
    if (k == "min") r.min = in.number(v, k);
    if (k == "max") r.max = in.number(v, k);
    if (k == "status") r.status = in.string(v, k);
  });
  return r;
}

Advice read_advice(Reader& in, dom::element e) {
  Advice a;
  a.value = std::numeric_limits<double>::quiet_NaN();
  in.object(e, "advice", [&](std::string_view k, dom::element v) {
    if (k == "rule") a.rule = in.string(v, k);
    if (k == "metric") a.metric = in.string(v, k);
    if (k == "window") a.window = in.string(v, k);
    if (k == "status") a.status = in.string(v, k);
    if (k == "value") a.value = in.number_or_nan(v, k);
    if (k == "limit") a.limit = in.number(v, k);
    if (k == "posts_needed") a.posts_needed = in.count(v, k);
    if (k == "of")
      for (const auto& name : in.strings(v, k))
        if (auto c = category_named(name)) a.of.push_back(*c);
    if (k == "leaving") a.leaving = in.count(v, k);
    if (k == "within_by") a.within_by = in.time(v, k);
    if (k == "pace_per_day") a.pace_per_day = in.number(v, k);
    if (k == "text") a.text = in.string(v, k);
  });
  return a;
}

}  // namespace

std::string to_json(const DigestRecord& r) {
  std::string out;
  out.reserve(1024);
  out += "{\"type\":\"digest\"";
  key(out, "digest_id");
  json::append_string(out, r.digest_id);
  key(out, "digest");
  json::append_string(out, r.digest);
  key(out, "account");
  json::append_string(out, r.account);
  key(out, "profile");
  json::append_string(out, r.profile);
  key(out, "timezone");
  json::append_string(out, r.timezone);
  key(out, "from");
  json::append_string(out, r.from_text);
  key(out, "to");
  json::append_string(out, r.to_text);
  key(out, "posts");
  out.push_back('{');
  for (std::size_t c = 0; c < kCategories; ++c) {
    if (c) out.push_back(',');
    json::append_string(out, to_string(static_cast<Category>(c)));
    fmt::format_to(std::back_inserter(out), ":{}", r.posts[c]);
  }
  out.push_back('}');
  key(out, "personal_share");
  optional_number(out, r.personal_share);
  key(out, "promotional_share");
  optional_number(out, r.promotional_share);
  key(out, "engagement");
  actions(out, r.engagement);
  key(out, "engagement_by_category");
  out.push_back('{');
  for (std::size_t c = 0; c < kEngagementClasses; ++c) {
    if (c) out.push_back(',');
    json::append_string(out, to_string(static_cast<EngagementClass>(c)));
    out.push_back(':');
    actions(out, r.engagement_by_category[c]);
  }
  out.push_back('}');
  key(out, "followers");
  if (r.followers) {
    fmt::format_to(std::back_inserter(out),
                   "{{\"start\":{},\"end\":{},\"change\":", r.followers->start, r.followers->end);
    optional_number(out, r.followers->change);
    out.push_back('}');
  } else {
    out += "null";
  }
  key(out, "top_posts");
  out.push_back('[');
  for (std::size_t i = 0; i < r.top_posts.size(); ++i) {
    if (i) out.push_back(',');
    record_json::top_post(out, r.top_posts[i]);
  }
  out.push_back(']');
  key(out, "rules");
  out.push_back('[');
  for (std::size_t i = 0; i < r.rules.size(); ++i) {
    const auto& rule = r.rules[i];
    if (i) out.push_back(',');
    out += "{\"rule\":";
    json::append_string(out, rule.rule);
    key(out, "metric");
    json::append_string(out, rule.metric);
    key(out, "window");
    json::append_string(out, rule.window);
    key(out, "value");
    optional_number(out, rule.value);
    key(out, "status");
    json::append_string(out, rule.status);
    key(out, "min");
    optional_number(out, rule.min);
    key(out, "max");
    optional_number(out, rule.max);
    out.push_back('}');
  }
  out.push_back(']');
  key(out, "advice");
  out.push_back('[');
  for (std::size_t i = 0; i < r.advice.size(); ++i) {
    if (i) out.push_back(',');
    append_advice(out, r.advice[i]);
  }
  out += "]}";
  return out;
}

std::string_view record_type(std::string_view json) {
  thread_local dom::parser parser;
  dom::element doc;
  if (parser.parse(json.data(), json.size(), true).get(doc) != simdjson::SUCCESS) return "alert";
  std::string_view type;
  if (doc["type"].get_string().get(type) != simdjson::SUCCESS) return "alert";
  if (type == "digest") return "digest";
  return type == "alert" ? "alert" : "unknown";
}

Result<DigestRecord> parse_digest_record(std::string_view json) {
  thread_local dom::parser parser;
  dom::element doc;
  if (auto err = parser.parse(json.data(), json.size(), true).get(doc))
    return Error{fmt::format("not valid JSON ({})", simdjson::error_message(err))};
  Reader in;
  DigestRecord r;
  std::string type;
  bool typed = false;
  std::optional<TimePoint> from, to;
  const bool object = in.object(doc, "record", [&](std::string_view k, dom::element v) {
    if (k == "type") {
      // record_type reads the first "type", this loop would keep the last: a
      // repeated one (a corrupted line) could make the two disagree.
      if (typed) in.fail(k, "repeated");
      typed = true;
      type = in.string(v, k);
    }
    if (k == "digest_id") r.digest_id = in.string(v, k);
    if (k == "digest") r.digest = in.string(v, k);
    if (k == "account") r.account = in.string(v, k);
    if (k == "profile") r.profile = in.string(v, k);
    if (k == "timezone") r.timezone = in.string(v, k);
    if (k == "from") {
      r.from_text = in.string(v, k);
      from = in.time(v, k);
    }
    if (k == "to") {
      r.to_text = in.string(v, k);
      to = in.time(v, k);
    }
    if (k == "posts")
      in.object(v, k, [&](std::string_view c, dom::element n) {
        if (auto i = index_named<Category, kCategories>(c)) r.posts[*i] = in.count(n, c);
      });
    if (k == "personal_share") r.personal_share = in.number(v, k);
    if (k == "promotional_share") r.promotional_share = in.number(v, k);
    if (k == "engagement") read_actions(in, v, k, r.engagement);
    if (k == "engagement_by_category")
      in.object(v, k, [&](std::string_view c, dom::element n) {
        if (auto i = index_named<EngagementClass, kEngagementClasses>(c))
          read_actions(in, n, c, r.engagement_by_category[*i]);
      });
    if (k == "followers") {
      DigestFollowers f;
      if (in.object(v, k, [&](std::string_view m, dom::element n) {
            if (m == "start") f.start = in.integer(n, m);
            if (m == "end") f.end = in.integer(n, m);
            if (m == "change") f.change = in.number(n, m);
          }))
        r.followers = f;
    }
    if (k == "top_posts")
      in.array(v, k, [&](dom::element e) { r.top_posts.push_back(read_top_post(in, e)); });
    if (k == "rules") in.array(v, k, [&](dom::element e) { r.rules.push_back(read_rule(in, e)); });
    if (k == "advice")
      in.array(v, k, [&](dom::element e) { r.advice.push_back(read_advice(in, e)); });
  });
  if (!object) in.fail("record", "not a JSON object");
  if (type != "digest") in.fail("type", "not \"digest\"");
  for (const auto& [k, v] :
       {std::pair<std::string_view, const std::string*>{"digest_id", &r.digest_id},
        {"digest", &r.digest},
        {"account", &r.account}})
    if (v->empty()) in.fail(k, "missing or empty");
  if (!from) in.fail("from", "missing");
  if (!to) in.fail("to", "missing");
  if (!in.error.empty()) return Error{std::move(in.error)};
  r.from = *from;
  r.to = *to;
  return r;
}

std::string render_digest_line(const DigestRecord& r) {
  auto percent = [](const std::optional<double>& v) {
    return v ? fmt::format("{:.0f}%", *v * 100) : std::string("-");
  };
  std::size_t out_of_limits = 0;
  for (const auto& rule : r.rules) out_of_limits += rule.status == "firing" ? 1 : 0;
  std::uint64_t posts = 0;
  for (auto n : r.posts) posts += n;
  return fmt::format(
      "{:<8} {} posts {} (personal {}, professional {}, promotional {}), personal {}, "
      "promotional {}, {} rule(s) firing",
      "DIGEST", r.digest_id, posts, r.posts[0], r.posts[1], r.posts[2], percent(r.personal_share),
      percent(r.promotional_share), out_of_limits);
}

}  // namespace kilter::pipeline

// The channels tests' fixture: renders parsed back with simdjson, records read
// from the SPEC JSON line or built by hand, and the renderers called with their
// default options.
#pragma once

#include <gtest/gtest.h>

// kilter_pipeline links simdjson PRIVATE, so its compile definitions do not reach
// the test target; the library is built with this one, and the parser's layout depends on it.
#ifndef SIMDJSON_THREADS_ENABLED
#define SIMDJSON_THREADS_ENABLED 1
#endif
#include <simdjson.h>

#include <limits>
#include <string>
#include <vector>

#include "common/time.h"
#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/record_format.h"

namespace kilter::pipeline::channels::testing {

namespace dom = simdjson::dom;

class ChannelsTest : public ::testing::Test {
 protected:
  // Fails the test unless `out` holds JSON (simdjson also checks the UTF-8).
  dom::element Parse(const Result<std::string>& out) {
    EXPECT_TRUE(out.ok()) << out.error().message;
    if (!out.ok()) return {};
    dom::element root;
    EXPECT_EQ(parser_.parse(*out).get(root), simdjson::SUCCESS) << *out;
    return root;
  }
  static std::string At(dom::element e, std::string_view pointer) {
    std::string_view v;
    if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS)
      return "<no " + std::string(pointer) + ">";
    return std::string(v);
  }
  static bool Has(dom::element e, std::string_view pointer) {
    return e.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
  static dom::element Sub(dom::element e, std::string_view pointer) {
    dom::element out;
    EXPECT_EQ(e.at_pointer(pointer).get(out), simdjson::SUCCESS) << pointer;
    return out;
  }
  static dom::array Array(dom::element e, std::string_view pointer) {
    dom::array a;
    EXPECT_EQ(e.at_pointer(pointer).get(a), simdjson::SUCCESS) << pointer;
    return a;
  }
  static std::size_t Size(dom::element e, std::string_view pointer) {
    dom::array a;
    return e.at_pointer(pointer).get(a) == simdjson::SUCCESS ? a.size() : 0;
  }
  // Every "text" string anywhere below e, in document order.
  static void Texts(dom::element e, std::vector<std::string>& out) {
    dom::array a;
    dom::object o;
    if (e.get(a) == simdjson::SUCCESS) {
      for (dom::element c : a) Texts(c, out);
    } else if (e.get(o) == simdjson::SUCCESS) {
      for (auto [k, v] : o) {
        std::string_view s;
        if (k == "text" && v.get(s) == simdjson::SUCCESS) out.emplace_back(s);
        Texts(v, out);
      }
    }
  }
  static std::string AllText(dom::element e) {
    std::vector<std::string> t;
    Texts(e, t);
    std::string out;
    for (const auto& s : t) out += s + "\n";
    return out;
  }

  dom::parser parser_;
};

using ChannelsSlack = ChannelsTest;
using ChannelsTeams = ChannelsTest;
using ChannelsAlertmanager = ChannelsTest;
using ChannelsInput = ChannelsTest;

// A record as the engine writes it (one SPEC JSON line), read back.
inline AlertRecord Rec(std::string_view json) {
  auto r = parse_alert_record(json);
  EXPECT_TRUE(r.ok()) << r.error().message << "\n" << json;
  return r.ok() ? *r : AlertRecord{};
}

// Only what every record has; the figures not known, the evidence empty.
inline AlertRecord Minimal(std::string alert_id, std::string account, std::string summary) {
  AlertRecord r;
  r.alert_id = std::move(alert_id);
  r.account = std::move(account);
  r.summary = std::move(summary);
  r.value = std::numeric_limits<double>::quiet_NaN();
  r.starts_at = *parse_rfc3339("2026-11-18T16:00:00Z");
  return r;
}

inline std::vector<const AlertRecord*> Ptrs(const std::vector<AlertRecord>& r) {
  std::vector<const AlertRecord*> out;
  for (const auto& a : r) out.push_back(&a);
  return out;
}
inline Result<std::string> Slack(const std::vector<AlertRecord>& r, const SlackOptions& o = {}) {
  return slack_message(Ptrs(r), o);
}
inline Result<std::string> Teams(const std::vector<AlertRecord>& r, const TeamsOptions& o = {}) {
  return teams_message(Ptrs(r), o);
}
inline Result<std::string> Am(const std::vector<AlertRecord>& r,
                              const AlertmanagerOptions& o = {}) {
  return alertmanager_alerts(Ptrs(r), o);
}

}  // namespace kilter::pipeline::channels::testing

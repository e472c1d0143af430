#include "daemon/server/api.h"

#include <algorithm>

#include "common/json.h"
#include "common/time.h"
#include "daemon/server/status_data.h"
#include "daemon/server/status_page.h"
#include "pipeline/engine/account_view.h"
#include "pipeline/rules/rules.h"

namespace kilter::daemon {
namespace {

HttpResponse json(int status, std::string body) {
  return HttpResponse{status, "application/json", std::move(body), {}};
}

HttpResponse error(int status, std::string_view message) {
  std::string body = "{\"error\":";
  json::append_string(body, message);
  body += "}";
  return json(status, std::move(body));
}

HttpResponse text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body), {}};
}

HttpResponse account(const ApiContext& ctx, const std::string& id) {
  TimePoint at;
  const auto* a = ctx.accounts.find_account(AccountRef{id}, &at);
  if (a == nullptr) return error(404, "no state for account " + id);
  return json(200, pipeline::account_json(*a, ctx.accounts.config(), at, ctx.store));
}

// The accounts in a given state, in id order, a page at a time:
// ?status=firing|pending|ok|all (default firing), &limit=N (1..1000, default 100),
// &after=<the last id of the previous page>.
HttpResponse accounts(const ApiContext& ctx, const HttpRequest& req) {
  auto q = [&](const char* k, const char* d) {
    auto it = req.query.find(k);
    return it == req.query.end() ? std::string(d) : it->second;
  };
  const std::string status = q("status", "firing");
  if (status != "firing" && status != "pending" && status != "ok" && status != "all")
    return error(400, "status must be firing, pending, ok or all");
  std::size_t limit = 100;
  try {
    std::size_t used = 0;
    auto text = q("limit", "100");
    limit = std::stoul(text, &used);
    if (used != text.size() || limit < 1 || limit > 1000) throw std::invalid_argument("limit");
  } catch (const std::exception&) {
    return error(400, "limit must be a whole number from 1 to 1000");
  }
  const std::string after = q("after", "");
  struct Row {
    const pipeline::AccountState* a;
    std::string_view state;
  };
  std::vector<Row> rows;
  ctx.accounts.for_each_account([&](const pipeline::AccountState& a, TimePoint) {
    if (!after.empty() && a.id.view() <= after) return;
    std::string_view state = "ok";
    for (const auto& s : a.alerts) {
      if (s.phase == AlertPhase::firing) state = "firing";
      if (s.phase == AlertPhase::pending && state == "ok") state = "pending";
    }
    if (status == "all" || status == state) rows.push_back({&a, state});
  });
  std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.a->id < y.a->id; });
  const bool more = rows.size() > limit;
  if (more) rows.resize(limit);
  std::string out = "{\"accounts\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& a = *rows[i].a;
    if (i > 0) out += ",";
    out += "{\"account\":";
    json::append_string(out, a.id.view());
    out += ",\"profile\":";
    if (a.profile != nullptr)
      json::append_string(out, a.profile->name);
    else
      out += "null";
    out += ",\"state\":";
    json::append_string(out, rows[i].state);
    out += ",\"alerts\":[";
    bool first = true;
    for (std::size_t r = 0; a.profile != nullptr && r < a.profile->rules.size(); ++r) {
      const auto& s = a.alerts[r];
      if (s.phase == AlertPhase::inactive) continue;
      const auto& rule = a.profile->rules[r];
      if (!first) out += ",";
      first = false;
      out += "{\"alert_id\":";
      json::append_string(out, pipeline::alert_id(a.id.view(), rule));
      out += ",\"rule\":";
      json::append_string(out, rule.name);
      out += ",\"state\":";
      json::append_string(out, s.phase == AlertPhase::firing ? "firing" : "pending");
      out += ",\"since\":";
      json::append_string(out, format_rfc3339(s.since));
      out += ",\"value\":";
      json::append_number(out, s.last_value);
      out += ",\"summary\":";
      json::append_string(out, pipeline::summary(a.id.view(), rule, s.last_value));
      out += "}";
    }
    out += "]}";
  }
  out += "],\"next\":";
  if (more)
    json::append_string(out, rows.back().a->id.view());
  else
    out += "null";
  out += "}";
  return json(200, std::move(out));
}

// Compares without stopping at the first difference, so the time taken says
// nothing about how much of a guess was right.
bool same(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

HttpResponse alerts(const ApiContext& ctx) {
  std::string out = "{\"alerts\":[";
  bool first = true;
  ctx.accounts.for_each_account([&](const pipeline::AccountState& a, TimePoint) {
    if (a.profile == nullptr) return;
    for (std::size_t i = 0; i < a.profile->rules.size(); ++i) {
      const auto& s = a.alerts[i];
      if (s.phase != AlertPhase::firing) continue;
      const auto& r = a.profile->rules[i];
      if (!first) out += ",";
      first = false;
      out += "{\"alert_id\":";
      json::append_string(out, pipeline::alert_id(a.id.view(), r));
      out += ",\"account\":";
      json::append_string(out, a.id.view());
      out += ",\"rule\":";
      json::append_string(out, r.name);
      out += ",\"metric\":";
      json::append_string(out, config::to_string(r.metric));
      out += ",\"window\":";
      json::append_string(out, r.window_text);
      out += ",\"status\":\"firing\",\"value\":";
      json::append_number(out, s.last_value);
      out += ",\"starts_at\":";
      json::append_string(out, format_rfc3339(s.since));
      out += ",\"summary\":";
      json::append_string(out, pipeline::summary(a.id.view(), r, s.last_value));
      out += "}";
    }
  });
  out += "]}";
  return json(200, std::move(out));
}

// The page for browsers: it runs no script and loads nothing, and the policy
// says so, so an account id that slipped past the escaping still could not act.
HttpResponse status_page(const ApiContext& ctx, const HttpRequest& req) {
  auto q = parse_status_query(req.query);
  if (!q) return text(400, q.error().message + "\n");
  HttpResponse r{200,
                 "text/html; charset=utf-8",
                 render_status_page(gather_status(ctx.accounts, ctx.store, *q)),
                 {}};
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

// {"partitions":[{"partition":"social.events:3","state":"active"|"warming"}, ...],
//  "warming":N}, in name order.
HttpResponse partitions(const ApiContext& ctx) {
  auto held = ctx.partitions ? ctx.partitions() : std::vector<PartitionStatus>{};
  std::sort(held.begin(), held.end(),
            [](const PartitionStatus& a, const PartitionStatus& b) { return a.name < b.name; });
  std::string body = "{\"partitions\":[";
  std::size_t warming = 0;
  for (std::size_t i = 0; i < held.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"partition\":";
    json::append_string(body, held[i].name);
    body += held[i].warming ? ",\"state\":\"warming\"}" : ",\"state\":\"active\"}";
    warming += held[i].warming ? 1 : 0;
  }
  body += "],\"warming\":";
  body += std::to_string(warming);
  body += "}\n";
  return HttpResponse{200, "application/json", std::move(body), {}};
}

}  // namespace

HttpResponse handle_request(const ApiContext& ctx, const HttpRequest& req) {
  if (req.method != "GET") {
    auto r = error(405, "only GET is served");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const auto& seg = req.segments;
  const bool open = (seg.size() == 1 && seg[0] == "metrics") || (seg.size() == 2 && seg[0] == "-");
  if (!open && !ctx.token.empty() && !same(req.authorization, "Bearer " + ctx.token)) {
    auto r = error(401, "this endpoint needs Authorization: Bearer <http.token>");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"kilterd\"");
    return r;
  }
  if (seg.empty()) return status_page(ctx, req);
  if (seg.size() == 1 && seg[0] == "metrics")
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", ctx.metrics(), {}};
  if (seg.size() == 2 && seg[0] == "-" && seg[1] == "healthy") {
    const auto why = ctx.stopped ? ctx.stopped() : std::nullopt;
    return why ? text(503, "engine stopped: " + *why) : text(200, "OK\n");
  }
  if (seg.size() == 2 && seg[0] == "-" && seg[1] == "ready")
    return ctx.ready() ? text(200, "OK\n")
                       : text(503, (ctx.not_ready_why ? ctx.not_ready_why() : std::string()) +
                                       "not ready\n");
  if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1") {
    if (seg.size() == 4 && seg[2] == "accounts") return account(ctx, seg[3]);
    if (seg.size() == 3 && seg[2] == "accounts") return accounts(ctx, req);
    if (seg.size() == 3 && seg[2] == "alerts") return alerts(ctx);
    if (seg.size() == 3 && seg[2] == "partitions") return partitions(ctx);
  }
  return error(404, "not found: " + req.path);
}

}  // namespace kilter::daemon

#include "daemon/api.h"

#include "common/json.h"
#include "common/time.h"
#include "pipeline/account_view.h"
#include "pipeline/rules.h"

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
  const auto* a = ctx.engine.find_account(id, &at);
  if (a == nullptr) return error(404, "no state for account " + id);
  return json(200, pipeline::account_json(*a, ctx.engine.config(), at, ctx.store));
}

HttpResponse alerts(const ApiContext& ctx) {
  std::string out = "{\"alerts\":[";
  bool first = true;
  ctx.engine.for_each_account([&](const pipeline::AccountState& a, TimePoint) {
    if (a.profile == nullptr) return;
    for (std::size_t i = 0; i < a.profile->rules.size(); ++i) {
      const auto& s = a.alerts[i];
      if (s.phase != storage::AlertPhase::firing) continue;
      const auto& r = a.profile->rules[i];
      if (!first) out += ",";
      first = false;
      out += "{\"alert_id\":";
      json::append_string(out, pipeline::alert_id(a.id, r));
      out += ",\"account\":";
      json::append_string(out, a.id);
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
      json::append_string(out, pipeline::summary(a.id, r, s.last_value));
      out += "}";
    }
  });
  out += "]}";
  return json(200, std::move(out));
}

}  // namespace

HttpResponse handle_request(const ApiContext& ctx, const HttpRequest& req) {
  if (req.method != "GET") {
    auto r = error(405, "only GET is served");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  const auto& seg = req.segments;
  if (seg.size() == 1 && seg[0] == "metrics")
    return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", ctx.metrics(), {}};
  if (seg.size() == 2 && seg[0] == "-" && seg[1] == "healthy")
    return ctx.engine.failure() ? text(503, "engine stopped: " + ctx.engine.failure()->message)
                                : text(200, "OK\n");
  if (seg.size() == 2 && seg[0] == "-" && seg[1] == "ready")
    return ctx.ready() ? text(200, "OK\n") : text(503, "not ready\n");
  if (seg.size() >= 3 && seg[0] == "api" && seg[1] == "v1") {
    if (seg.size() == 4 && seg[2] == "accounts") return account(ctx, seg[3]);
    if (seg.size() == 3 && seg[2] == "alerts") return alerts(ctx);
  }
  return error(404, "not found: " + req.path);
}

}  // namespace kilter::daemon

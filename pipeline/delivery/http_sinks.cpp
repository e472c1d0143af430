#include "pipeline/delivery/http_sinks.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/time.h"
#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/hmac.h"

namespace kilter::pipeline {
namespace {

constexpr std::size_t kResendChunk = 100;  // alerts per Alertmanager request

// What a receiver said, shortened and on one line, for the logs.
std::string answer_text(const OutboundResponse& r) {
  if (r.status == 0) return r.error;
  std::string body = r.body.substr(0, 200);
  for (auto& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  return body.empty() ? fmt::format("HTTP {}", r.status)
                      : fmt::format("HTTP {}: {}", r.status, body);
}

// scheme://host of a URL: all a log may say of it (paths of webhooks hold secrets).
std::string host_of(const std::string& url) {
  auto scheme = url.find("://");
  auto start = scheme == std::string::npos ? 0 : scheme + 3;
  auto end = url.find_first_of("/?#", start);
  return url.substr(0, end);
}

// The Standard Webhooks `webhook-id`: the same for every delivery of one
// notification, so receivers can drop copies. An alert record's notification is
// (alert_id, status, starts_at).
// A digest record's is its digest_id (one account, one period).
std::string webhook_id(const OutboundAlert& a) {
  const auto name =
      a.digest ? fmt::format("digest\n{}", a.digest->digest_id)
               : fmt::format("alert\n{}\n{}\n{}", a.record.alert_id, to_string(a.record.status),
                             format_rfc3339(a.record.starts_at));
  return "msg_" + sha256_hex(name).substr(0, 32);
}

std::vector<const AlertRecord*> records_of(std::span<const AlertRef> alerts) {
  std::vector<const AlertRecord*> out;
  out.reserve(alerts.size());
  for (const auto& a : alerts) out.push_back(&a->record);
  return out;
}

// The digests of one run (the outbox groups them; same_run), in the outbox's order.
std::vector<const DigestRecord*> digests_of(std::span<const AlertRef> alerts) {
  std::vector<const DigestRecord*> out;
  out.reserve(alerts.size());
  for (const auto& a : alerts)
    if (a->digest) out.push_back(&*a->digest);
  return out;
}

bool digests(std::span<const AlertRef> alerts) {
  return !alerts.empty() && alerts.front()->is_digest();
}

class HttpSink : public Sink {
 public:
  HttpSink(std::string name, config::HttpSinkOptions http, const SinkContext& ctx)
      : name_(std::move(name)), http_(std::move(http)), ctx_(ctx) {}
  const std::string& name() const override { return name_; }

  void deliver(std::span<const AlertRef> alerts, std::function<void(SinkResult)> done) override {
    auto body = render(alerts);
    if (!body) {
      // Our own records could not be rendered: retrying cannot help.
      return done({false, true, {}, fmt::format("render: {}", body.error().message)});
    }
    send(std::move(*body), alerts,
         [done = std::move(done)](OutboundResponse r) { done(classify(r)); });
  }

 protected:
  virtual Result<std::string> render(std::span<const AlertRef> alerts) = 0;
  virtual std::string url() const { return http_.url; }
  virtual void sign(OutboundRequest&, std::span<const AlertRef>) {}

  void send(std::string body, std::span<const AlertRef> alerts,
            std::function<void(OutboundResponse)> done) {
    OutboundRequest req;
    req.url = url();
    req.timeout = http_.timeout;
    req.headers.emplace_back("Content-Type", "application/json");
    for (const auto& [k, v] : http_.headers) req.headers.emplace_back(k, v);
    req.body = std::move(body);
    sign(req, alerts);
    ctx_.http->send(std::move(req), std::move(done));
  }

  std::string name_;
  config::HttpSinkOptions http_;
  SinkContext ctx_;
};

// Signed twice when a secret is set: the Standard Webhooks headers
// (webhook-id, webhook-timestamp, webhook-signature: the timestamp is signed, so
// a captured request cannot be replayed later) and, for existing receivers,
// signature_header with the HMAC of the body alone.
class WebhookSink final : public HttpSink {
 public:
  WebhookSink(std::string name, config::WebhookSinkOptions o, const SinkContext& ctx)
      : HttpSink(std::move(name), o.http, ctx),
        key_(webhook_key(o.secret).value_or(o.secret)),
        signed_(!o.secret.empty()),
        signature_header_(std::move(o.signature_header)) {}

 protected:
  // The SPEC JSON line as made once; one record per delivery (groups() is false).
  Result<std::string> render(std::span<const AlertRef> alerts) override {
    return alerts.front()->json;
  }
  void sign(OutboundRequest& req, std::span<const AlertRef> alerts) override {
    const auto id = webhook_id(*alerts.front());
    const auto ms = epoch_ms(ctx_.dispatcher->now());
    const std::int64_t ts = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    req.headers.emplace_back("webhook-id", id);
    req.headers.emplace_back("webhook-timestamp", std::to_string(ts));
    if (!signed_) return;
    req.headers.emplace_back("webhook-signature",
                             standard_webhook_signature(key_, id, ts, req.body));
    req.headers.emplace_back(signature_header_, "sha256=" + hmac_sha256_hex(key_, req.body));
  }

 private:
  std::string key_;
  bool signed_;
  std::string signature_header_;
};

class SlackSink final : public HttpSink {
 public:
  SlackSink(std::string name, config::SlackSinkOptions o, const SinkContext& ctx)
      : HttpSink(std::move(name), std::move(o.http), ctx) {
    opts_.channel = std::move(o.channel);
    opts_.username = std::move(o.username);
    opts_.icon_emoji = std::move(o.icon_emoji);
    opts_.max_posts = o.max_posts;
  }
  bool groups() const override { return true; }

 protected:
  Result<std::string> render(std::span<const AlertRef> alerts) override {
    if (digests(alerts)) return channels::slack_digest(digests_of(alerts), opts_);
    return channels::slack_message(records_of(alerts), opts_);
  }

 private:
  channels::SlackOptions opts_;
};

class TeamsSink final : public HttpSink {
 public:
  TeamsSink(std::string name, config::TeamsSinkOptions o, const SinkContext& ctx)
      : HttpSink(std::move(name), std::move(o.http), ctx) {
    opts_.max_posts = o.max_posts;
  }
  bool groups() const override { return true; }

 protected:
  Result<std::string> render(std::span<const AlertRef> alerts) override {
    if (digests(alerts)) return channels::teams_digest(digests_of(alerts), opts_);
    return channels::teams_message(records_of(alerts), opts_);
  }

 private:
  channels::TeamsOptions opts_;
};

// Alertmanager forgets a firing alert it has not heard of for resolve_timeout:
// the sink re-sends every firing alert routed to it every resend_interval.
class AlertmanagerSink final : public HttpSink {
 public:
  AlertmanagerSink(std::string name, config::AlertmanagerSinkOptions o, const SinkContext& ctx)
      : HttpSink(std::move(name), o.http, ctx), resend_interval_(o.resend_interval) {
    opts_.generator_url = std::move(o.generator_url);
    opts_.extra_labels = std::move(o.labels);
    endpoint_ = o.http.url;
    while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
    endpoint_ += "/api/v2/alerts";
    schedule_resend();
  }
  ~AlertmanagerSink() override {
    *alive_ = false;
    if (timer_ != 0) ctx_.dispatcher->cancel(timer_);
  }
  bool groups() const override { return true; }
  // Digests are not alerts: the outbox confirms them for this sink unsent.
  bool takes_digests() const override { return false; }

 protected:
  Result<std::string> render(std::span<const AlertRef> alerts) override {
    return channels::alertmanager_alerts(records_of(alerts), opts_);
  }
  std::string url() const override { return endpoint_; }

 private:
  void schedule_resend() {
    if (!ctx_.firing) return;
    auto alive = alive_;
    timer_ = ctx_.dispatcher->schedule(resend_interval_, [this, alive] {
      if (!*alive) return;
      timer_ = 0;
      resend();
      schedule_resend();
    });
  }

  void resend() {
    const auto firing = ctx_.firing();
    std::vector<const AlertRecord*> mine;
    for (const auto& f : firing)
      if (std::find(f.sinks.begin(), f.sinks.end(), name_) != f.sinks.end())
        mine.push_back(&f.record);
    for (std::size_t i = 0; i < mine.size(); i += kResendChunk) {
      const auto chunk =
          channels::Records(mine).subspan(i, std::min(kResendChunk, mine.size() - i));
      auto body = channels::alertmanager_alerts(chunk, opts_);
      if (!body) continue;
      auto alive = alive_;
      send(std::move(*body), {}, [this, alive](OutboundResponse r) {
        if (!*alive) return;
        auto result = classify(r);
        ++resends_;
        if (!result.ok && (failed_resends_++ % 10) == 0)
          spdlog::warn("sink {}: re-sending firing alerts to {} failed: {}", name_,
                       host_of(endpoint_), result.error);
      });
    }
  }

  channels::AlertmanagerOptions opts_;
  Millis resend_interval_;
  std::string endpoint_;
  Dispatcher::TimerId timer_ = 0;
  std::uint64_t resends_ = 0, failed_resends_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

SinkResult classify(const OutboundResponse& r) {
  SinkResult out;
  if (r.status >= 200 && r.status < 300) {
    out.ok = true;
    return out;
  }
  out.error = answer_text(r);
  out.rejected =
      r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 425 && r.status != 429;
  if (r.retry_after) out.retry_after = std::chrono::duration_cast<Millis>(*r.retry_after);
  return out;
}

std::unique_ptr<Sink> make_http_sink(const config::SinkConfig& c, const SinkContext& ctx) {
  return std::visit(
      [&](const auto& o) -> std::unique_ptr<Sink> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, config::WebhookSinkOptions>)
          return std::make_unique<WebhookSink>(c.name, o, ctx);
        else if constexpr (std::is_same_v<T, config::SlackSinkOptions>)
          return std::make_unique<SlackSink>(c.name, o, ctx);
        else if constexpr (std::is_same_v<T, config::TeamsSinkOptions>)
          return std::make_unique<TeamsSink>(c.name, o, ctx);
        else if constexpr (std::is_same_v<T, config::AlertmanagerSinkOptions>)
          return std::make_unique<AlertmanagerSink>(c.name, o, ctx);
        else
          return nullptr;  // not an HTTP sink
      },
      c.options);
}

}  // namespace kilter::pipeline

// Teams Workflows webhook body ("post to a channel when a webhook request is
// received"): a message with one Adaptive Card, one Container per alert.
#include <fmt/format.h>

#include <algorithm>

#include "common/time.h"
#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels {
namespace {

using detail::cat;
using detail::JsonWriter;

// Teams refuses webhook messages above about 28 KB; alerts beyond this budget are
// counted instead of shown, leaving room for the envelope.
constexpr std::size_t kBodyBudget = 24 * 1024;
// Keeps one oversized value (a pasted essay as a term) from eating the budget.
// Markdown links end at the first ')' or space; encoding them keeps the URL whole.
std::string markdown_url(std::string_view url) {
  std::string out;
  for (char c : url) {
    switch (c) {
      case '(':
        out += "%28";
        break;
      case ')':
        out += "%29";
        break;
      case '<':
        out += "%3C";
        break;
      case '>':
        out += "%3E";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string post_line(const TopPost& p) {
  std::string line =
      cat("• ", detail::teams_md(p.post_id), " · ", detail::teams_md(detail::category_name(p)));
  if (const auto e = detail::known(p.engagement))
    line += fmt::format(" · {} engagement", detail::format_number(*e));
  if (const auto c = detail::known(p.confidence))
    line += fmt::format(" · {} confidence", detail::format_percent(*c, false));
  if (const auto matched = detail::terms(p.matched); !matched.empty()) {
    line += " · ";
    for (std::size_t i = 0; i < matched.size(); ++i)
      line += cat(i ? ", " : "", detail::teams_md(matched[i]));
  }
  if (!p.link.empty()) {
    // A link Teams would not open is still shown, as text.
    line += detail::is_web_url(p.link) ? fmt::format(" · [open]({})", markdown_url(p.link))
                                       : cat(" · ", detail::teams_md(p.link));
  }
  return line;
}

std::string alert_container(const AlertRecord& a, bool first, std::size_t max_posts) {
  JsonWriter w;
  w.begin_object().field("type", "Container");
  if (!first) w.key("separator").boolean(true).field("spacing", "Large");
  w.key("items").begin_array();

  detail::teams_text_block(w, cat(detail::status_label(a), " · ", detail::teams_md(a.summary)));
  w.field("weight", "Bolder").field("size", "Medium");
  const bool firing = a.status == AlertStatus::firing;
  w.field("color", firing ? "Attention" : "Good").end_object();

  const Evidence& e = a.evidence;
  std::vector<std::pair<std::string, std::string>> facts;
  if (const auto v = detail::known(a.value))
    facts.emplace_back(detail::metric_title(a.metric), detail::format_value(a.metric, *v));
  if (auto l = detail::limit_text(a); !l.empty()) facts.emplace_back("Limit", l);
  if (!a.window.empty()) facts.emplace_back("Window", detail::teams_md(a.window));
  if (!a.rule.empty()) facts.emplace_back("Rule", detail::teams_md(a.rule));
  if (!a.profile.empty()) facts.emplace_back("Profile", detail::teams_md(a.profile));
  if (!a.severity.empty()) facts.emplace_back("Severity", detail::teams_md(a.severity));
  facts.emplace_back("Since", detail::teams_md(format_rfc3339(a.starts_at)));
  if (!firing && a.ends_at)
    facts.emplace_back("Ended", detail::teams_md(format_rfc3339(*a.ends_at)));
  facts.emplace_back("Posts", detail::posts_text(e));
  if (e.followers) facts.emplace_back("Followers", detail::followers_text(*e.followers));
  if (e.baseline)
    facts.emplace_back("Baseline", detail::teams_md(detail::baseline_text(*e.baseline)));
  w.begin_object().field("type", "FactSet").key("facts").begin_array();
  for (const auto& [title, value] : facts)
    w.begin_object()
        .field("title", title)
        .field("value", detail::clip(value, detail::kTeamsTextMax))
        .end_object();
  w.end_array().end_object();

  if (e.advice && !e.advice->text.empty()) {
    detail::teams_text_block(w, cat("**Advice:** ", detail::teams_md(e.advice->text)));
    w.field("spacing", "Small").end_object();
  }

  const auto posts = detail::shown_posts(e);
  const std::size_t shown = std::min(max_posts, posts.size());
  if (shown > 0) {
    detail::teams_text_block(w, "Top posts");
    w.field("weight", "Bolder").field("spacing", "Medium").end_object();
    for (std::size_t i = 0; i < shown; ++i) {
      detail::teams_text_block(w, post_line(*posts[i]));
      w.field("spacing", "Small").end_object();
    }
  }
  if (const auto matched = detail::terms(e.matched_terms); !matched.empty()) {
    std::string terms = "Matched terms: ";
    for (std::size_t i = 0; i < matched.size(); ++i)
      terms += cat(i ? " · " : "", detail::teams_md(matched[i]));
    detail::teams_text_block(w, terms);
    w.key("isSubtle").boolean(true).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

Result<std::string> teams_message(Records alerts, const TeamsOptions& o) {
  if (alerts.empty()) return Error{"teams: no alert records to render"};

  std::vector<std::string> items;
  std::size_t used = 0;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    std::string c = alert_container(*alerts[i], i == 0, o.max_posts);
    // The first alert is always shown: a message saying only "and 1 more" helps nobody.
    if (i > 0 && used + c.size() > kBodyBudget) {
      JsonWriter w;
      detail::teams_text_block(w, detail::more_alerts_text(alerts.size() - i));
      w.key("isSubtle").boolean(true).field("spacing", "Large").end_object();
      items.push_back(w.take());
      break;
    }
    used += c.size() + 1;
    items.push_back(std::move(c));
  }

  return detail::teams_card(items);
}

}  // namespace kilter::pipeline::channels

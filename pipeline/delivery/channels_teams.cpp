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
constexpr std::size_t kTextMax = 2000;

// Opens a TextBlock; the caller adds its styling and closes it.
void text_block(JsonWriter& w, std::string_view text) {
  w.begin_object().field("type", "TextBlock").field("text", detail::clip(text, kTextMax));
  w.key("wrap").boolean(true);
}

// Text from a record (account and post ids, terms, summaries) as literal text in
// the card's markdown (the Adaptive Cards subset: emphasis, links, lists): a
// backslash before what would open a link, emphasis, code or an autolink, and
// before what would start a list or a heading at the start of the text.
// Newlines would start new blocks: they become spaces.
std::string md(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == '#')) {
    out += '\\';
    out += s[0];
    i = 1;
  }
  for (; i < s.size(); ++i) {
    const char c = s[i];
    switch (c) {
      case '\\':
      case '[':
      case ']':
      case '*':
      case '_':
      case '~':
      case '`':
      case '<':
      case '>':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  // "1. x" at the start would be a numbered list.
  if (auto digits = out.find_first_not_of("0123456789");
      digits != std::string::npos && digits > 0 && (out[digits] == '.' || out[digits] == ')'))
    out.insert(digits, 1, '\\');
  return out;
}

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
  std::string line = cat("• ", md(p.post_id), " · ", md(detail::category_name(p)));
  if (const auto e = detail::known(p.engagement))
    line += fmt::format(" · {} engagement", detail::format_number(*e));
  if (const auto c = detail::known(p.confidence))
    line += fmt::format(" · {} confidence", detail::format_percent(*c, false));
  if (const auto matched = detail::terms(p.matched); !matched.empty()) {
    line += " · ";
    for (std::size_t i = 0; i < matched.size(); ++i) line += cat(i ? ", " : "", md(matched[i]));
  }
  if (!p.link.empty()) {
    // A link Teams would not open is still shown, as text.
    line += detail::is_web_url(p.link) ? fmt::format(" · [open]({})", markdown_url(p.link))
                                       : cat(" · ", md(p.link));
  }
  return line;
}

std::string alert_container(const AlertRecord& a, bool first, std::size_t max_posts) {
  JsonWriter w;
  w.begin_object().field("type", "Container");
  if (!first) w.key("separator").boolean(true).field("spacing", "Large");
  w.key("items").begin_array();

  text_block(w, cat(detail::status_label(a), " · ", md(a.summary)));
  w.field("weight", "Bolder").field("size", "Medium");
  const bool firing = a.status == AlertStatus::firing;
  w.field("color", firing ? "Attention" : "Good").end_object();

  const Evidence& e = a.evidence;
  std::vector<std::pair<std::string, std::string>> facts;
  if (const auto v = detail::known(a.value))
    facts.emplace_back(detail::metric_title(a.metric), detail::format_value(a.metric, *v));
  if (auto l = detail::limit_text(a); !l.empty()) facts.emplace_back("Limit", l);
  if (!a.window.empty()) facts.emplace_back("Window", md(a.window));
  if (!a.rule.empty()) facts.emplace_back("Rule", md(a.rule));
  if (!a.profile.empty()) facts.emplace_back("Profile", md(a.profile));
  if (!a.severity.empty()) facts.emplace_back("Severity", md(a.severity));
  facts.emplace_back("Since", md(format_rfc3339(a.starts_at)));
  if (!firing && a.ends_at) facts.emplace_back("Ended", md(format_rfc3339(*a.ends_at)));
  facts.emplace_back("Posts", detail::posts_text(e));
  if (e.followers) facts.emplace_back("Followers", detail::followers_text(*e.followers));
  if (e.baseline) facts.emplace_back("Baseline", md(detail::baseline_text(*e.baseline)));
  w.begin_object().field("type", "FactSet").key("facts").begin_array();
  for (const auto& [title, value] : facts)
    w.begin_object()
        .field("title", title)
        .field("value", detail::clip(value, kTextMax))
        .end_object();
  w.end_array().end_object();

  if (e.advice && !e.advice->text.empty()) {
    text_block(w, cat("**Advice:** ", md(e.advice->text)));
    w.field("spacing", "Small").end_object();
  }

  const auto posts = detail::shown_posts(e);
  const std::size_t shown = std::min(max_posts, posts.size());
  if (shown > 0) {
    text_block(w, "Top posts");
    w.field("weight", "Bolder").field("spacing", "Medium").end_object();
    for (std::size_t i = 0; i < shown; ++i) {
      text_block(w, post_line(*posts[i]));
      w.field("spacing", "Small").end_object();
    }
  }
  if (const auto matched = detail::terms(e.matched_terms); !matched.empty()) {
    std::string terms = "Matched terms: ";
    for (std::size_t i = 0; i < matched.size(); ++i) terms += cat(i ? " · " : "", md(matched[i]));
    text_block(w, terms);
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
      text_block(w, detail::more_alerts_text(alerts.size() - i));
      w.key("isSubtle").boolean(true).field("spacing", "Large").end_object();
      items.push_back(w.take());
      break;
    }
    used += c.size() + 1;
    items.push_back(std::move(c));
  }

  JsonWriter w;
  w.begin_object().field("type", "message").key("attachments").begin_array().begin_object();
  w.field("contentType", "application/vnd.microsoft.card.adaptive").key("contentUrl").null();
  w.key("content").begin_object();
  w.field("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
  w.field("type", "AdaptiveCard").field("version", "1.4");
  w.key("msteams").begin_object().field("width", "Full").end_object();
  w.key("body").begin_array();
  for (const auto& item : items) w.raw(item);
  w.end_array();
  w.end_object().end_object().end_array().end_object();
  return w.take();
}

}  // namespace kilter::pipeline::channels

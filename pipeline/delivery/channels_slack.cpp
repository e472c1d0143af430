// Slack incoming-webhook body: Block Kit blocks, plus the top-level `text` Slack
// shows in notifications and clients without blocks.
#include <fmt/format.h>

#include "common/markup.h"
#include "common/time.h"
#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels {
namespace {

using detail::cat;
using detail::JsonWriter;
using detail::mrkdwn_clip;
using detail::slack_escape;

// mrkdwn has no escape for a backtick inside code, so it becomes a quote; a newline
// would end the code span.
std::string code(std::string_view s) {
  std::string plain(s);
  for (char& c : plain) {
    if (c == '`') c = '\'';
    if (c == '\n' || c == '\r') c = ' ';
  }
  return cat("`", slack_escape(plain), "`");
}

std::string link(std::string_view url, std::string_view label) {
  // `|` would end the URL part of the token, and a backtick would confuse the code
  // spans mrkdwn_prefix keeps whole.
  std::string target;
  for (char c : slack_escape(url)) {
    if (c == '|')
      target += "%7C";
    else if (c == '`')
      target += "%60";
    else
      target.push_back(c);
  }
  return fmt::format("<{}|{}>", target, label);
}

// Slack renders <!date^...> in each reader's time zone; the record's text is the
// fallback for clients that cannot.
std::string when(TimePoint at) {
  const std::string rfc3339 = format_rfc3339(at);
  const auto t = parse_rfc3339(rfc3339);
  if (!t) return slack_escape(rfc3339);
  const auto seconds = epoch_ms(*t) / 1000 - (epoch_ms(*t) % 1000 < 0 ? 1 : 0);
  return fmt::format("<!date^{}^{{date_short_pretty}} {{time}}|{}>", seconds, rfc3339);
}

std::string context_block(std::string_view mrkdwn) {
  return detail::slack_context_block({mrkdwn});
}

std::string header_block(const AlertRecord& a) {
  std::string text = cat(detail::status_label(a), " · ", a.account);
  if (!a.rule.empty()) text += cat(" · ", a.rule);
  JsonWriter w;
  w.begin_object().field("type", "header").key("text");
  detail::slack_text(w, "plain_text", detail::clip(text, detail::kSlackHeaderText));
  w.end_object();
  return w.take();
}

std::string figures_block(const AlertRecord& a) {
  std::vector<std::pair<std::string, std::string>> fields;  // title, mrkdwn value
  if (const auto v = detail::known(a.value))
    fields.emplace_back(detail::metric_title(a.metric), detail::format_value(a.metric, *v));
  if (auto l = detail::limit_text(a); !l.empty()) fields.emplace_back("Limit", l);
  if (!a.window.empty()) fields.emplace_back("Window", slack_escape(a.window));
  if (!a.rule.empty()) fields.emplace_back("Rule", slack_escape(a.rule));
  if (!a.profile.empty()) fields.emplace_back("Profile", slack_escape(a.profile));
  if (!a.severity.empty()) fields.emplace_back("Severity", slack_escape(a.severity));
  fields.emplace_back("Since", when(a.starts_at));
  if (a.status == AlertStatus::resolved && a.ends_at)
    fields.emplace_back("Ended", when(*a.ends_at));

  JsonWriter w;
  w.begin_object().field("type", "section").key("text");
  detail::slack_text(w, "mrkdwn", mrkdwn_clip(slack_escape(a.summary), detail::kSlackSectionText));
  // At most 8 fields here, within Slack's 10.
  if (!fields.empty()) {
    w.key("fields").begin_array();
    for (const auto& [title, value] : fields)
      detail::slack_text(
          w, "mrkdwn", mrkdwn_clip(fmt::format("*{}*\n{}", title, value), detail::kSlackFieldText));
    w.end_array();
  }
  w.end_object();
  return w.take();
}

std::string post_line(const TopPost& p) {
  std::string line = cat("• ", code(p.post_id), " · ", slack_escape(detail::category_name(p)));
  if (const auto e = detail::known(p.engagement))
    line += fmt::format(" · {} engagement", detail::format_number(*e));
  if (const auto c = detail::known(p.confidence))
    line += fmt::format(" · {} confidence", detail::format_percent(*c, false));
  if (const auto matched = detail::terms(p.matched); !matched.empty()) {
    line += " ·";
    for (const auto& t : matched) line += cat(" ", code(t));
  }
  if (!p.link.empty())
    line += cat(" · ", detail::is_web_url(p.link) ? link(p.link, "open") : code(p.link));
  return line;
}

// Empty when the record carries no evidence worth a block.
std::string evidence_block(const AlertRecord& a, std::size_t max_posts) {
  std::string text;
  auto line = [&](const std::string& l) {
    if (!text.empty()) text.push_back('\n');
    text += l;
  };
  const Evidence& e = a.evidence;
  line(cat("*Posts* ", slack_escape(detail::posts_text(e))));
  if (e.followers) line(cat("*Followers* ", detail::followers_text(*e.followers)));
  if (e.baseline) line(cat("*Baseline* ", slack_escape(detail::baseline_text(*e.baseline))));
  const auto posts = detail::shown_posts(e);
  const std::size_t shown = std::min(max_posts, posts.size());
  if (shown > 0) line("*Top posts*");
  for (std::size_t i = 0; i < shown; ++i) line(post_line(*posts[i]));

  JsonWriter w;
  w.begin_object().field("type", "section").key("text");
  detail::slack_text(w, "mrkdwn", mrkdwn_clip(text, detail::kSlackSectionText));
  w.end_object();
  return w.take();
}

std::string terms_block(const AlertRecord& a) {
  const auto matched = detail::terms(a.evidence.matched_terms);
  if (matched.empty()) return {};
  std::string text = "*Matched terms*";
  for (std::size_t i = 0; i < matched.size(); ++i) text += cat(i ? " · " : " ", code(matched[i]));
  return context_block(text);
}

// What to post next (evidence.advice), right under the figures it explains.
std::string advice_block(const AlertRecord& a) {
  const auto& advice = a.evidence.advice;
  if (!advice || advice->text.empty()) return {};
  return context_block(cat("*Advice* ", slack_escape(advice->text)));
}

std::vector<std::string> alert_blocks(const AlertRecord& a, const SlackOptions& o) {
  std::vector<std::string> blocks{header_block(a), figures_block(a)};
  for (auto b : {advice_block(a), evidence_block(a, o.max_posts), terms_block(a)})
    if (!b.empty()) blocks.push_back(std::move(b));
  return blocks;
}

std::string fallback_text(Records alerts) {
  std::string text;
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const std::string line =
        slack_escape(cat(detail::status_label(*alerts[i]), " ", alerts[i]->summary));
    const std::string more = detail::more_alerts_text(alerts.size() - i);
    // Room is kept for the "and N more" line whenever another alert follows.
    const std::size_t reserve = i + 1 < alerts.size() ? more.size() + 1 : 0;
    if (i > 0 && text.size() + 1 + line.size() + reserve > detail::kSlackFallbackText) {
      text += cat("\n", more);
      break;
    }
    if (i > 0) text.push_back('\n');
    text += mrkdwn_clip(line, detail::kSlackFallbackText - text.size() - reserve);
  }
  return text;
}

}  // namespace

Result<std::string> slack_message(Records alerts, const SlackOptions& o) {
  if (alerts.empty()) return Error{"slack: no alert records to render"};

  // Whole alerts only: a truncated alert would show figures without their evidence.
  std::vector<std::string> blocks;
  std::size_t rendered = 0;
  for (; rendered < alerts.size(); ++rendered) {
    auto mine = alert_blocks(*alerts[rendered], o);
    const std::size_t divider = rendered > 0 ? 1 : 0;
    const std::size_t tail = rendered + 1 < alerts.size() ? 1 : 0;  // the "and N more" block
    if (blocks.size() + divider + mine.size() + tail > detail::kSlackMaxBlocks) break;
    if (divider)
      blocks.push_back(JsonWriter().begin_object().field("type", "divider").end_object().take());
    for (auto& b : mine) blocks.push_back(std::move(b));
  }
  if (rendered < alerts.size())
    blocks.push_back(context_block(detail::more_alerts_text(alerts.size() - rendered)));

  return detail::slack_envelope(o, fallback_text(alerts), blocks);
}

}  // namespace kilter::pipeline::channels

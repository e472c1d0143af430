// The markup rules of the channels, shared by the alert and the digest renderers:
// Slack's mrkdwn escaping and clipping and its text objects, Teams' markdown
// escaping, text blocks and card envelope.
#include <algorithm>

#include "common/markup.h"
#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels::detail {
namespace {

// The longest prefix that does not end inside an entity, a <...> token or a code
// span, so truncation never leaves Slack half a piece of markup.
std::size_t mrkdwn_prefix(std::string_view s, std::size_t max) {
  std::size_t n = utf8_prefix(s, max);
  const auto amp = s.substr(0, n).rfind('&');
  if (amp != std::string_view::npos && s.substr(amp, n - amp).find(';') == std::string_view::npos)
    n = amp;
  const auto lt = s.substr(0, n).rfind('<');
  if (lt != std::string_view::npos && s.substr(lt, n - lt).find('>') == std::string_view::npos)
    n = lt;
  const std::string_view head = s.substr(0, n);
  if (std::count(head.begin(), head.end(), '`') % 2 != 0) n = head.rfind('`');
  return n;
}

}  // namespace

std::string slack_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s, /*quotes=*/false);
  return out;
}

std::string mrkdwn_clip(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  constexpr std::string_view kEllipsis = "…";
  std::string out(s.substr(0, mrkdwn_prefix(s, max - kEllipsis.size())));
  out += kEllipsis;
  return out;
}

// A backslash before what would open a link, emphasis, code or an autolink, and
// before what would start a list or a heading at the start of the text. Newlines
// would start new blocks: they become spaces.
std::string teams_md(std::string_view s) {
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
    if (std::string_view("\\[]*_~`<>").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  // "1. x" at the start would be a numbered list.
  if (auto digits = out.find_first_not_of("0123456789");
      digits != std::string::npos && digits > 0 && (out[digits] == '.' || out[digits] == ')'))
    out.insert(digits, 1, '\\');
  return out;
}

void slack_text(JsonWriter& w, std::string_view type, std::string_view text) {
  w.begin_object().field("type", type).field("text", text);
  if (type == "plain_text") w.key("emoji").boolean(true);
  w.end_object();
}

std::string slack_context_block(std::initializer_list<std::string_view> mrkdwn) {
  JsonWriter w;
  w.begin_object().field("type", "context").key("elements").begin_array();
  for (auto t : mrkdwn) slack_text(w, "mrkdwn", mrkdwn_clip(t, kSlackContextText));
  w.end_array().end_object();
  return w.take();
}

std::string slack_envelope(const SlackOptions& o, std::string_view text,
                           std::span<const std::string> blocks) {
  JsonWriter w;
  w.begin_object();
  if (!o.channel.empty()) w.field("channel", o.channel);
  if (!o.username.empty()) w.field("username", o.username);
  if (!o.icon_emoji.empty()) w.field("icon_emoji", o.icon_emoji);
  w.field("text", text);
  w.key("blocks").begin_array();
  for (const auto& b : blocks) w.raw(b);
  w.end_array();
  w.key("unfurl_links").boolean(false).key("unfurl_media").boolean(false);
  w.end_object();
  return w.take();
}

void teams_text_block(JsonWriter& w, std::string_view text) {
  w.begin_object().field("type", "TextBlock").field("text", clip(text, kTeamsTextMax));
  w.key("wrap").boolean(true);
}

std::string teams_card(std::span<const std::string> items) {
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

}  // namespace kilter::pipeline::channels::detail

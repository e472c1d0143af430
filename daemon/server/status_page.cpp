#include "daemon/server/status_page.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "common/markup.h"
#include "common/time.h"

namespace kilter::daemon {
namespace {

// Ids come from the input (up to pipeline.max_event_bytes each): shown cut, so a
// page of odd ids stays small.
constexpr std::size_t kShownIdBytes = 64;
constexpr std::size_t kLinkedIdBytes = 256;

constexpr double kSparkW = 140, kSparkH = 36, kPad = 3;
constexpr double kBarW = 220, kBarH = 16;

constexpr std::string_view kStyle = R"(
:root{--fg:#1f2933;--muted:#66727f;--line:#e3e7ec;--bg:#f4f6f8;--card:#fff;
--firing:#c62828;--firing-bg:#fdecea;--pending:#b45309;--pending-bg:#fff4e0;--ok:#2e7d32;
--ok-bg:#e8f5e9;--personal:#e07a5f;--professional:#3d5a80;--promotional:#e9b949;
--unclassified:#cbd2d9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
header{padding:18px 28px 10px;display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 18px}
h1{font-size:20px;margin:0;font-weight:650}
h1 span{color:var(--muted);font-weight:400}
.asof{color:var(--muted)}
.counts{display:flex;gap:8px;margin-left:auto}
.pill{display:inline-block;border-radius:999px;padding:1px 10px;font-weight:600;font-size:13px}
.pill.firing{background:var(--firing-bg);color:var(--firing)}
.pill.pending{background:var(--pending-bg);color:var(--pending)}
.pill.ok{background:var(--ok-bg);color:var(--ok)}
main{padding:0 28px 24px}
table{width:100%;border-collapse:separate;border-spacing:0;background:var(--card);
border-radius:8px;box-shadow:0 1px 3px rgba(16,24,40,.08);overflow:hidden}
th{text-align:left;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.05em;
color:var(--muted);padding:9px 12px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:10px 12px;border-bottom:1px solid var(--line);vertical-align:top}
tr:last-child td{border-bottom:0}
tr.firing td:first-child{box-shadow:inset 4px 0 var(--firing)}
tr.pending td:first-child{box-shadow:inset 4px 0 var(--pending)}
tr.ok td:first-child{box-shadow:inset 4px 0 var(--ok)}
col.account{width:190px}
col.balance{width:250px}
col.spark{width:205px}
.acct{font-weight:650;color:var(--fg);text-decoration:none;overflow-wrap:anywhere}
.acct:hover{text-decoration:underline}
.profile{color:var(--muted);font-size:12px;margin-top:2px}
.balance{display:block;border-radius:3px;overflow:hidden}
.balance rect.personal{fill:var(--personal)}
.balance rect.professional{fill:var(--professional)}
.balance rect.promotional{fill:var(--promotional)}
.balance text{font-size:11px;font-weight:600;text-anchor:middle;fill:#fff}
.balance text.promotional{fill:#4a3b10}
.legend{display:block;margin-top:3px;text-transform:none;letter-spacing:0;font-weight:400}
.legend i{display:inline-block;width:9px;height:9px;border-radius:2px;margin:0 3px 0 0;
vertical-align:-1px}
.legend span{margin-right:8px}
.posts{font-size:12px;color:var(--muted);margin-top:4px}
.rule{margin-bottom:6px}
.rule:last-child{margin-bottom:0}
.rule b{font-weight:600}
.tag{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;margin-right:4px}
.tag.firing{color:var(--firing)}
.tag.pending{color:var(--pending)}
.sev{font-size:11px;color:var(--muted);margin-left:4px}
.desc{font-size:13px}
.since{font-size:12px;color:var(--muted)}
.advice{font-size:12px;margin-top:3px;padding:3px 7px;border-left:3px solid var(--professional);
background:var(--bg);border-radius:0 4px 4px 0}
.advice b{font-weight:650;color:var(--professional)}
.calm{color:var(--muted)}
.spark{display:flex;align-items:center;gap:8px}
.spark svg{flex:none;display:block}
.val{font-size:12px;color:var(--muted);line-height:1.3;white-space:nowrap}
.val b{display:block;font-size:14px;color:var(--fg)}
.share{fill:none;stroke:var(--personal);stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
.dot{fill:var(--personal)}
.area{fill:#f7f8fa;stroke:var(--line)}
.limit{stroke:var(--firing);stroke-width:1;stroke-dasharray:3 2;opacity:.7}
.eng{fill:var(--professional);opacity:.55}
.eng.last{opacity:1}
.axis{stroke:var(--line)}
nav{display:flex;gap:14px;align-items:center;padding:12px 2px;color:var(--muted)}
nav a{color:var(--professional);font-weight:600;text-decoration:none}
.empty{padding:28px;text-align:center;color:var(--muted)}
details{margin-top:8px;color:var(--muted);font-size:13px;max-width:900px}
summary{cursor:pointer;color:var(--fg);font-weight:600}
)";

void append_escaped(std::string& out, std::string_view s) {
  kilter::append_escaped(out, s, /*quotes=*/true);
}

// At most `max` bytes, cut on a UTF-8 character boundary, with an ellipsis when cut.
std::string shorten(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "\u2026";
}

// Percent-encodes everything but the unreserved characters, for a path segment.
std::string url_segment(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved)
      out += static_cast<char>(c);
    else
      fmt::format_to(std::back_inserter(out), "%{:02X}", c);
  }
  return out;
}

std::string pct(double share) {
  return fmt::format("{:.0f}%", share * 100);
}

// 842, 1.2k, 35k, 1.2M: engagement at a glance.
std::string compact(double v) {
  // The thresholds are where rounding would carry into the next unit (999.6 is 1.0k).
  if (v < 999.5) return fmt::format("{:.0f}", v);
  if (v < 9'950) return fmt::format("{:.1f}k", v / 1000);
  if (v < 999'500) return fmt::format("{:.0f}k", v / 1000);
  return fmt::format("{:.1f}M", v / 1'000'000);
}

// "Thu 19 Nov" and "Thu 19 Nov 18:00" (UTC).
std::string day_label(TimePoint t) {
  return format_day(t);
}

std::string time_label(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::hh_mm_ss hms{std::chrono::floor<std::chrono::minutes>(t - day)};
  return fmt::format("{} {:02}:{:02}", day_label(t), hms.hours().count(), hms.minutes().count());
}

std::string_view status_name(AccountStatus s) {
  switch (s) {
    case AccountStatus::firing:
      return "firing";
    case AccountStatus::pending:
      return "pending";
    case AccountStatus::ok:
      return "ok";
  }
  return "ok";
}

double x_at(std::size_t i, std::size_t n) {
  return n <= 1 ? kSparkW / 2
                : kPad + static_cast<double>(i) * (kSparkW - 2 * kPad) / static_cast<double>(n - 1);
}

double y_share(double share) {
  return kPad + (1 - std::clamp(share, 0.0, 1.0)) * (kSparkH - 2 * kPad);
}

std::string days_span(const StatusRow& r) {
  const auto count = static_cast<int>(std::max<std::size_t>(r.days.size(), 1));
  const auto last = r.first_day + std::chrono::days{count - 1};
  return fmt::format("{} \u2013 {} (UTC days)", day_label(r.first_day), day_label(last));
}

// Daily personal share on a fixed 0-100% scale, with the profile's limits dashed;
// days without classified posts are gaps, not zeros.
void append_share_spark(std::string& out, const StatusRow& r) {
  const auto n = r.days.size();
  out += "<div class=\"spark\">";
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"spark-share\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                 "role=\"img\" aria-label=\"personal share per day\"><title>Personal share per "
                 "day, {2}:",
                 kSparkW, kSparkH, days_span(r));
  for (std::size_t i = 0; i < n; ++i) {
    out += i == 0 ? " " : ", ";
    out += r.days[i].personal_share ? pct(*r.days[i].personal_share) : "\u2013";
  }
  fmt::format_to(
      std::back_inserter(out),
      "</title><rect class=\"area\" x=\"0.5\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" "
      "rx=\"2\"/>",
      kPad - 0.5, kSparkW - 1, kSparkH - 2 * kPad + 1);
  for (auto limit : {r.share_min, r.share_max})
    if (limit)
      fmt::format_to(std::back_inserter(out),
                     "<line class=\"limit\" x1=\"1\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\"/>",
                     kSparkW - 1, y_share(*limit), y_share(*limit));
  std::size_t i = 0;
  std::optional<std::size_t> last;
  while (i < n) {
    if (!r.days[i].personal_share) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && r.days[j].personal_share) ++j;
    if (j - i == 1) {
      fmt::format_to(std::back_inserter(out),
                     "<circle class=\"dot\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"1.8\"/>", x_at(i, n),
                     y_share(*r.days[i].personal_share));
    } else {
      out += "<polyline class=\"share\" points=\"";
      for (std::size_t k = i; k < j; ++k)
        fmt::format_to(std::back_inserter(out), "{}{:.1f},{:.1f}", k == i ? "" : " ", x_at(k, n),
                       y_share(*r.days[k].personal_share));
      out += "\"/>";
    }
    last = j - 1;
    i = j;
  }
  if (last)
    fmt::format_to(std::back_inserter(out),
                   "<circle class=\"dot\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.6\"/>", x_at(*last, n),
                   y_share(*r.days[*last].personal_share));
  out += "</svg><div class=\"val\">";
  if (last) {
    fmt::format_to(std::back_inserter(out), "<b>{}</b>{}", pct(*r.days[*last].personal_share),
                   *last + 1 == n
                       ? "last day"
                       : day_label(r.first_day + std::chrono::days{static_cast<int>(*last)}));
  } else {
    out += "<b>\u2013</b>no classified post";
  }
  out += "</div></div>";
}

// Daily weighted engagement as bars, scaled to the busiest day shown.
void append_engagement_spark(std::string& out, const StatusRow& r) {
  const auto n = r.days.size();
  double peak = 0;
  for (const auto& d : r.days) peak = std::max(peak, d.engagement);
  out += "<div class=\"spark\">";
  fmt::format_to(std::back_inserter(out),
                 "<svg class=\"spark-engagement\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
                 "{1}\" role=\"img\" aria-label=\"engagement per day\"><title>Weighted engagement "
                 "per day, {2}:",
                 kSparkW, kSparkH, days_span(r));
  for (std::size_t i = 0; i < n; ++i)
    fmt::format_to(std::back_inserter(out), "{}{}", i == 0 ? " " : ", ",
                   compact(r.days[i].engagement));
  fmt::format_to(std::back_inserter(out),
                 "</title><line class=\"axis\" x1=\"0\" x2=\"{0}\" y1=\"{1}\" y2=\"{1}\"/>",
                 kSparkW, kSparkH - kPad + 0.5);
  const double slot = (kSparkW - 2 * kPad) / static_cast<double>(std::max<std::size_t>(n, 1));
  for (std::size_t i = 0; i < n && peak > 0; ++i) {
    const double v = r.days[i].engagement;
    if (v <= 0) continue;
    const double h = std::max(1.0, v / peak * (kSparkH - 2 * kPad));
    fmt::format_to(std::back_inserter(out),
                   "<rect class=\"eng{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
                   "height=\"{:.1f}\" rx=\"1\"/>",
                   i + 1 == n ? " last" : "", kPad + static_cast<double>(i) * slot + 1,
                   kSparkH - kPad - h, std::max(1.0, slot - 2), h);
  }
  out += "</svg><div class=\"val\">";
  if (n > 0)
    fmt::format_to(std::back_inserter(out), "<b>{}</b>peak {}", compact(r.days.back().engagement),
                   compact(peak));
  out += "</div></div>";
}

void append_balance(std::string& out, const StatusRow& r) {
  const auto personal = r.posts[static_cast<std::size_t>(Category::personal)];
  const auto professional = r.posts[static_cast<std::size_t>(Category::professional)];
  const auto promotional = r.posts[static_cast<std::size_t>(Category::promotional)];
  const auto unclassified = r.posts[static_cast<std::size_t>(Category::unclassified)];
  const auto classified = personal + professional + promotional;
  const auto total = classified + unclassified;
  if (classified == 0) {
    fmt::format_to(std::back_inserter(out), "<div class=\"calm\">no classified post in {}</div>",
                   html_escape(r.window));
  } else {
    struct Part {
      std::uint64_t n;
      std::string_view name;
    };
    const Part parts[] = {
        {personal, "personal"}, {professional, "professional"}, {promotional, "promotional"}};
    fmt::format_to(std::back_inserter(out),
                   "<svg class=\"balance\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
                   "role=\"img\" aria-label=\"balance over {2}\"><title>{3} personal, {4} "
                   "professional, {5} promotional over {2}</title>",
                   kBarW, kBarH, html_escape(r.window), personal, professional, promotional);
    double x = 0;
    for (const auto& p : parts) {
      const double share = static_cast<double>(p.n) / static_cast<double>(classified);
      const double w = kBarW * share;
      if (w <= 0) continue;
      fmt::format_to(std::back_inserter(out),
                     "<rect class=\"{}\" x=\"{:.1f}\" y=\"0\" width=\"{:.1f}\" height=\"{}\"/>",
                     p.name, x, w, kBarH);
      // The share written in its segment when it fits; the tooltip has every count.
      if (w >= 30)
        fmt::format_to(std::back_inserter(out),
                       "<text class=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", p.name, x + w / 2,
                       kBarH / 2 + 4, pct(share));
      x += w;
    }
    out += "</svg>";
  }
  fmt::format_to(std::back_inserter(out), "<div class=\"posts\">{} {} in {}", total,
                 total == 1 ? "post" : "posts", html_escape(r.window));
  if (unclassified > 0) fmt::format_to(std::back_inserter(out), ", {} unclassified", unclassified);
  out += "</div>";
}

void append_rules(std::string& out, const StatusRow& r) {
  if (r.rules.empty()) {
    out += r.profile.empty() ? "<span class=\"calm\">no profile: not evaluated</span>"
                             : "<span class=\"calm\">within limits</span>";
    return;
  }
  for (const auto& l : r.rules) {
    const auto s = status_name(l.status);
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"rule\"><span class=\"tag {0}\">{0}</span><b>", s);
    append_escaped(out, l.rule);
    out += "</b>";
    if (!l.severity.empty() && l.severity != "warning") {
      out += "<span class=\"sev\">";
      append_escaped(out, l.severity);
      out += "</span>";
    }
    out += "<div class=\"desc\">";
    append_escaped(out, l.description);
    if (!l.campaign.empty()) {
      out += " \u2013 campaign ";
      append_escaped(out, l.campaign);
    }
    fmt::format_to(std::back_inserter(out), "</div><div class=\"since\">{} since {} UTC</div>",
                   l.status == AccountStatus::firing ? "firing" : "breached", time_label(l.since));
    if (!l.advice.empty()) {
      out += "<div class=\"advice\"><b>Advice</b> ";
      append_escaped(out, l.advice);
      out += "</div>";
    }
    out += "</div>";
  }
}

void append_row(std::string& out, const StatusRow& r) {
  // An id too long to link in full is shown without a link: a cut one would
  // name another account.
  const bool linked = r.account.size() <= kLinkedIdBytes;
  fmt::format_to(std::back_inserter(out), "<tr class=\"{}\"><td><{} class=\"acct\"",
                 status_name(r.status), linked ? "a" : "span");
  if (linked)
    fmt::format_to(std::back_inserter(out), " href=\"/api/v1/accounts/{}\"",
                   url_segment(r.account));
  if (r.account.size() > kShownIdBytes) {
    out += " title=\"";
    append_escaped(out, shorten(r.account, kLinkedIdBytes));
    out += "\"";
  }
  out += ">";
  append_escaped(out, shorten(r.account, kShownIdBytes));
  out += linked ? "</a>" : "</span>";
  out += "<div class=\"profile\">";
  if (r.profile.empty())
    out += "no profile";
  else
    append_escaped(out, shorten(r.profile, kShownIdBytes));
  out += "</div></td><td>";
  append_balance(out, r);
  out += "</td><td>";
  append_rules(out, r);
  out += "</td><td>";
  append_share_spark(out, r);
  out += "</td><td>";
  append_engagement_spark(out, r);
  out += "</td></tr>";
}

std::string page_link(const StatusPage& p, std::size_t page) {
  if (p.limit == p.default_limit) return fmt::format("?page={}", page);
  return fmt::format("?page={}&amp;limit={}", page, p.limit);
}

void append_nav(std::string& out, const StatusPage& p) {
  const auto total = p.firing + p.pending + p.ok;
  out += "<nav>";
  if (p.rows.empty())
    fmt::format_to(std::back_inserter(out), "<span>none of {} accounts on page {}</span>", total,
                   p.page);
  else
    fmt::format_to(std::back_inserter(out), "<span>accounts {}\u2013{} of {}</span>", p.first + 1,
                   p.first + p.rows.size(), total);
  if (p.page > 1)
    fmt::format_to(std::back_inserter(out), "<a href=\"{}\" rel=\"prev\">\u2039 previous</a>",
                   page_link(p, std::min(p.page - 1, p.pages)));
  if (p.pages > 1)
    fmt::format_to(std::back_inserter(out), "<span>page {} of {}</span>", p.page, p.pages);
  if (p.page < p.pages)
    fmt::format_to(std::back_inserter(out), "<a href=\"{}\" rel=\"next\">next \u203a</a>",
                   page_link(p, p.page + 1));
  out += "</nav>";
}

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s);
  return out;
}

std::string render_status_page(const StatusPage& p) {
  std::string out;
  out.reserve(8192 + p.rows.size() * 4096);
  out +=
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>Kilter \u2013 account status</title><style>";
  out += kStyle;
  out += "</style></head><body><header><h1>Kilter <span>account status</span></h1>";
  if (p.as_of)
    fmt::format_to(std::back_inserter(out),
                   "<div class=\"asof\">as of {} UTC (event time, last commit)</div>",
                   time_label(*p.as_of));
  else
    out += "<div class=\"asof\">no events yet</div>";
  fmt::format_to(std::back_inserter(out),
                 "<div class=\"counts\"><span class=\"pill firing\">{} firing</span>"
                 "<span class=\"pill pending\">{} pending</span>"
                 "<span class=\"pill ok\">{} ok</span></div></header><main>",
                 p.firing, p.pending, p.ok);
  if (p.firing + p.pending + p.ok == 0) {
    out += "<table><tr><td class=\"empty\">No account has state here yet.</td></tr></table>";
  } else {
    out +=
        "<table><colgroup><col class=\"account\"><col class=\"balance\"><col>"
        "<col class=\"spark\"><col class=\"spark\"></colgroup>"
        "<thead><tr><th>Account</th><th>Balance, main window<span class=\"legend\">"
        "<span><i style=\"background:var(--personal)\"></i>personal</span>"
        "<span><i style=\"background:var(--professional)\"></i>professional</span>"
        "<span><i style=\"background:var(--promotional)\"></i>promotional</span></span></th>"
        "<th>Rules out of limits</th><th>Personal share, 14 days</th>"
        "<th>Engagement, 14 days</th></tr></thead><tbody>";
    for (const auto& r : p.rows) append_row(out, r);
    if (p.rows.empty())
      out += "<tr><td class=\"empty\" colspan=\"5\">This page is past the last account.</td></tr>";
    out += "</tbody></table>";
  }
  append_nav(out, p);
  out +=
      "<details><summary>How to read this page</summary><p>Accounts whose rules fire come "
      "first, then those with a breach still pending (its <code>for</code> has not elapsed), "
      "then the rest, each group by account id. <b>Balance</b> is the share of personal, "
      "professional and promotional posts among the classified posts of the profile's main "
      "window (the window of its personal-share rule). <b>Rules out of limits</b> shows each "
      "firing or pending rule with its value and limit, and its <b>advice</b> when it has one: "
      "how many posts of which categories, posted now, bring it back within limits, and when "
      "the posts leaving the window would (share and post-count rules). The sparklines cover the "
      "last 14 UTC "
      "days, the last one possibly partial: the personal share of each day's posts (gaps: no "
      "classified post; dashed: the profile's personal-share limits) and the engagement "
      "weighted by action (bars, scaled to the busiest day shown). Figures are as of the last "
      "commit of the state store.</p></details></main></body></html>";
  return out;
}

}  // namespace kilter::daemon

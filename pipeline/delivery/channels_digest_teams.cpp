// Teams Workflows webhook body for one digest run: the same envelope and card
// version as the alert card (channels_teams.cpp), the accounts as a table worst
// first. The card is Adaptive Cards 1.4, which has no Table element (1.5), so the
// table is a ColumnSet per row under a ColumnSet of column titles.
#include <fmt/format.h>

#include <array>

#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/channels_digest.h"

namespace kilter::pipeline::channels {
namespace {

using detail::cat;
using detail::JsonWriter;
using detail::teams_md;

// As for alert cards: Teams refuses webhook messages above about 28 KB; rows
// beyond this budget are counted instead of shown.
constexpr std::size_t kBodyBudget = 24 * 1024;
// Per-cell budgets (bytes before escaping): one hostile value cannot eat the budget.
constexpr std::size_t kCellText = 120;
constexpr std::size_t kStatusText = 300;
constexpr std::size_t kAdviceText = 600;

// The columns: account (and profile), posts, personal share, engagement,
// followers, status; widths are relative weights.
constexpr std::array<int, 6> kWidths = {3, 2, 2, 2, 2, 3};

// A ColumnSet row; each cell is one or two texts (the second one subtle, smaller).
using Cell = std::pair<std::string, std::string>;
void row(JsonWriter& w, const std::array<Cell, 6>& cells, bool titles) {
  w.begin_object().field("type", "ColumnSet");
  if (!titles) w.field("spacing", "Small");
  w.key("columns").begin_array();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    w.begin_object().field("type", "Column").key("width").number(kWidths[i]);
    w.key("items").begin_array();
    detail::teams_text_block(w, cells[i].first);
    if (titles || i == 0) w.field("weight", "Bolder");
    if (titles) w.key("isSubtle").boolean(true);
    w.end_object();
    if (!cells[i].second.empty()) {
      detail::teams_text_block(w, cells[i].second);
      w.key("isSubtle").boolean(true).field("size", "Small").field("spacing", "None").end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
}

std::string account_container(const DigestRecord& d, std::size_t rank) {
  const auto clipped = [](std::string_view s, std::size_t max) {
    return teams_md(detail::clip(s, max));
  };
  JsonWriter w;
  w.begin_object().field("type", "Container").key("separator").boolean(true);
  w.key("items").begin_array();
  std::array<Cell, 6> cells;
  cells[0] = {cat(fmt::format("{}\\. ", rank), clipped(d.account, kCellText)),
              clipped(d.profile, kCellText)};
  cells[1] = {detail::posts_cell(d), ""};
  cells[2] = {detail::share_cell(d.personal_share), ""};
  cells[3] = {fmt::format("{}", detail::engagement_total(d)), ""};
  cells[4] = {detail::followers_cell(d), ""};
  const std::string status = detail::digest_status_text(d);
  cells[5] = {status.empty() ? "–" : clipped(status, kStatusText), ""};
  row(w, cells, false);
  if (auto a = detail::first_advice(d, kAdviceText); !a.empty()) {
    detail::teams_text_block(w, cat("↳ ", teams_md(a)));
    w.key("isSubtle").boolean(true).field("size", "Small").field("spacing", "Small").end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string titles_row() {
  JsonWriter w;
  row(w,
      {Cell{"Account", "profile"}, Cell{"Posts", "pers. / prof. / promo."},
       Cell{"Personal", "share"}, Cell{"Engagement", "replies to clicks"},
       Cell{"Followers", "change"}, Cell{"Status", "rules firing"}},
      true);
  return w.take();
}

}  // namespace

Result<std::string> teams_digest(Digests digests, const TeamsOptions& /*o*/) {
  if (digests.empty()) return Error{"teams: no digest records to render"};
  const auto ordered = detail::worst_first(digests);

  std::vector<std::string> items;
  {
    JsonWriter w;
    detail::teams_text_block(
        w, cat("📋 Digest: ", teams_md(detail::clip(digests.front()->digest, kCellText))));
    w.field("weight", "Bolder").field("size", "Medium").end_object();
    items.push_back(w.take());
  }
  {
    JsonWriter w;
    detail::teams_text_block(
        w, cat(teams_md(detail::clip(detail::period_text(digests), 2 * kCellText)), " · ",
               detail::accounts_summary(digests), " · worst first"));
    w.key("isSubtle").boolean(true).field("spacing", "None").end_object();
    items.push_back(w.take());
  }
  items.push_back(titles_row());

  std::size_t used = 0;
  for (const auto& i : items) used += i.size() + 1;
  std::size_t shown = 0;
  for (; shown < ordered.size(); ++shown) {
    std::string c = account_container(*ordered[shown], shown + 1);
    // Room for the "and N more" line; the worst account is always shown.
    if (shown > 0 && used + c.size() + 200 > kBodyBudget) break;
    used += c.size() + 1;
    items.push_back(std::move(c));
  }
  if (shown < ordered.size()) {
    JsonWriter w;
    detail::teams_text_block(w, detail::more_accounts_text(ordered.size() - shown));
    w.key("isSubtle").boolean(true).field("spacing", "Large").end_object();
    items.push_back(w.take());
  }

  return detail::teams_card(items);
}

}  // namespace kilter::pipeline::channels

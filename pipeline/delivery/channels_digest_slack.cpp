// Slack incoming-webhook body for one digest run: a header, the period, then the
// accounts worst first, a few lines each, packed into sections; the accounts that
// do not fit are counted in a last line.
#include <fmt/format.h>

#include "pipeline/delivery/channels.h"
#include "pipeline/delivery/channels_digest.h"

namespace kilter::pipeline::channels {
namespace {

using detail::cat;
using detail::JsonWriter;
using detail::mrkdwn_clip;
using detail::slack_escape;

// Slack cuts a message's text at 40,000 characters; the blocks stay well under
// it, so what a long digest loses is whole rows, counted, never the count itself.
constexpr std::size_t kBlocksBudget = 30000;
// Per-cell budgets, after escaping: a row stays far below a section's limit
// whatever the record holds (a 10 kB account id is clipped, not a lost row).
constexpr std::size_t kAccountText = 200;
constexpr std::size_t kProfileText = 100;
constexpr std::size_t kStatusText = 400;
constexpr std::size_t kAdviceText = 1000;

std::string header_block(const DigestRecord& first) {
  JsonWriter w;
  w.begin_object().field("type", "header").key("text");
  detail::slack_text(w, "plain_text",
                     detail::clip(cat("📋 Digest: ", first.digest), detail::kSlackHeaderText));
  w.end_object();
  return w.take();
}

std::string section_block(std::string_view mrkdwn) {
  JsonWriter w;
  w.begin_object().field("type", "section").key("text");
  detail::slack_text(w, "mrkdwn", mrkdwn);
  w.end_object();
  return w.take();
}

// One account: who, its status, its figures, its first advice.
std::string row(const DigestRecord& d, std::size_t rank) {
  std::string out =
      fmt::format("*{}. {}*", rank, mrkdwn_clip(slack_escape(d.account), kAccountText));
  if (!d.profile.empty()) out += cat(" · ", mrkdwn_clip(slack_escape(d.profile), kProfileText));
  if (auto s = detail::digest_status_text(d); !s.empty())
    out += cat(" · ", mrkdwn_clip(slack_escape(s), kStatusText));
  out += fmt::format("\nposts {} · personal {} · engagement {} · followers {}",
                     detail::posts_cell(d), detail::share_cell(d.personal_share),
                     detail::engagement_total(d), detail::followers_cell(d));
  if (auto a = detail::first_advice(d, kAdviceText); !a.empty())
    out += cat("\n↳ ", mrkdwn_clip(slack_escape(a), kAdviceText));
  return out;
}

}  // namespace

Result<std::string> slack_digest(Digests digests, const SlackOptions& o) {
  if (digests.empty()) return Error{"slack: no digest records to render"};
  const auto ordered = detail::worst_first(digests);
  const std::string period = slack_escape(detail::period_text(digests));
  const std::string summary = detail::accounts_summary(digests);

  std::vector<std::string> blocks{
      header_block(*digests.front()),
      detail::slack_context_block(
          {cat("*Period* ", period, " · ", summary),
           "Worst first · posts: personal / professional / promotional · engagement: "
           "replies, reposts, quotes, likes and clicks"})};
  std::size_t used = 0;
  for (const auto& b : blocks) used += b.size();

  // Rows go into the open section until it is full; a row never spans two.
  std::string open;
  std::size_t shown = 0;
  for (; shown < ordered.size(); ++shown) {
    const std::string r = row(*ordered[shown], shown + 1);
    const bool fits_open = !open.empty() && open.size() + 2 + r.size() <= detail::kSlackSectionText;
    const std::size_t grows = fits_open ? r.size() + 2 : r.size() + 64;  // a new block's JSON
    // Room is kept for the open section and the "and N more" line.
    const std::size_t blocks_after = blocks.size() + (open.empty() ? 0 : 1) + (fits_open ? 0 : 1);
    if (blocks_after + 1 > detail::kSlackMaxBlocks || used + grows + 128 > kBlocksBudget) break;
    used += grows;
    if (fits_open) {
      open += cat("\n\n", r);
      continue;
    }
    if (!open.empty()) blocks.push_back(section_block(open));
    open = r;
  }
  if (!open.empty()) blocks.push_back(section_block(open));
  if (shown < ordered.size())
    blocks.push_back(
        detail::slack_context_block({detail::more_accounts_text(ordered.size() - shown)}));

  const std::string fallback =
      cat("Digest ", slack_escape(digests.front()->digest), ", ", period, ": ", summary);
  return detail::slack_envelope(o, mrkdwn_clip(fallback, detail::kSlackFallbackText), blocks);
}

}  // namespace kilter::pipeline::channels

#include "pipeline/alerting.h"

#include "pipeline/alert_record.h"

namespace kilter::pipeline {

std::string build_alert_json(const AlertContext& ctx, const PostSource& posts) {
  auto record = make_alert_record(ctx.account, ctx.profile.name, ctx.rule, ctx.transition,
                                  ctx.value, ctx.weights);
  if (ctx.campaign != nullptr) {
    record.campaign = ctx.campaign->name;
    record.summary += " during campaign " + ctx.campaign->name;
  }
  // The posts of the evaluated window explain the verdict.
  std::vector<TopPost> candidates;
  posts(ctx.account, ctx.at - ctx.rule.window, ctx.at,
        [&](TimePoint, std::string_view post_id, const storage::PostDetail& d) {
          candidates.push_back(top_post(post_id, d));
        });
  set_top_posts(record.evidence, std::move(candidates), focus_category(ctx.rule.metric));
  return to_json(record);
}

}  // namespace kilter::pipeline

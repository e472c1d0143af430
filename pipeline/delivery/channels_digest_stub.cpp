// STUB, to be deleted when the digest renderers (channels_digest_slack.cpp,
// channels_digest_teams.cpp) are merged: a minimal valid body per digest run,
// so the outbox's grouping of a run into one message can be tested meanwhile.
#include <fmt/format.h>

#include "pipeline/delivery/channels.h"

namespace kilter::pipeline::channels {
namespace {

std::string summary(Digests digests) {
  return fmt::format("{} digest {}: {} account(s)", digests.front()->digest,
                     digests.front()->to_text, digests.size());
}

}  // namespace

Result<std::string> slack_digest(Digests digests, const SlackOptions&) {
  if (digests.empty()) return Error{"no digest to render"};
  detail::JsonWriter w;
  w.begin_object().field("text", summary(digests)).end_object();
  return w.take();
}

Result<std::string> teams_digest(Digests digests, const TeamsOptions&) {
  if (digests.empty()) return Error{"no digest to render"};
  detail::JsonWriter w;
  w.begin_object().field("type", "message").key("attachments").begin_array().begin_object();
  w.field("contentType", "application/vnd.microsoft.card.adaptive").key("content").begin_object();
  w.field("type", "AdaptiveCard").field("version", "1.5").key("body").begin_array();
  w.begin_object().field("type", "TextBlock").field("text", summary(digests)).end_object();
  w.end_array().end_object().end_object().end_array().end_object();
  return w.take();
}

}  // namespace kilter::pipeline::channels

// kilter_render_samples DIR: writes the Slack and Teams payloads of the C++
// renderers (pipeline/delivery/channels.h) for sample records into DIR, one file
// per payload (slack-NAME.json, teams-NAME.json), for tests/node/check.mjs to
// check with Slack's and Teams' own npm libraries.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipeline/delivery/channels.h"
#include "tests/pipeline/delivery/channel_samples.h"

namespace {

using namespace kilter;                               // NOLINT
using namespace kilter::pipeline::channels;           // NOLINT
using namespace kilter::pipeline::channels::samples;  // NOLINT

bool write(const std::filesystem::path& dir, const std::string& name,
           const Result<std::string>& payload) {
  if (!payload.ok()) {
    fmt::print(stderr, "render_samples: {}: {}\n", name, payload.error().message);
    return false;
  }
  std::ofstream out(dir / name, std::ios::binary);
  out << *payload;
  return static_cast<bool>(out.flush());
}

// Every alert sample, by name: each is one notification group.
std::vector<std::pair<std::string, std::vector<AlertRecord>>> alert_samples() {
  std::vector<std::pair<std::string, std::vector<AlertRecord>>> out;
  out.push_back({"alert-firing", {Alert("acme", AlertStatus::firing)}});
  out.push_back({"alert-resolved", {Alert("acme", AlertStatus::resolved)}});
  std::vector<AlertRecord> grouped;
  for (std::size_t i = 0; i < 4; ++i)
    grouped.push_back(Alert("acme", i % 2 ? AlertStatus::resolved : AlertStatus::firing, i));
  out.push_back({"alert-grouped", grouped});
  AlertRecord advised = Alert("acme", AlertStatus::firing);
  advised.evidence.advice = ShareAdvice(
      0.42, 0.10,
      "21 personal of 50 posts in 7d, 42%, max 10%: 160 professional or promotional posts "
      "would be needed; 9 personal posts leave the window by Tuesday");
  out.push_back({"alert-advice", {advised}});
  // Hostile text in every string a record carries, 10 kB where it can be long.
  AlertRecord hostile = Alert(Hostile(10000), AlertStatus::firing);
  hostile.rule = Hostile(200);
  hostile.summary = Hostile(10000);
  hostile.profile = Hostile();
  hostile.severity = Hostile();
  hostile.window = Hostile();
  for (auto& p : hostile.evidence.top_posts) {
    p.post_id = Hostile(300);
    p.matched = {Hostile(), Hostile(10000)};
    p.link = "https://social.example/a|b`c>d<e)f(g";
  }
  hostile.evidence.matched_terms = {Hostile(10000), Hostile()};
  hostile.evidence.advice = ShareAdvice(0.42, 0.10, Hostile(10000));
  out.push_back({"alert-hostile", {hostile}});
  std::vector<AlertRecord> many;
  for (std::size_t i = 0; i < 40; ++i) many.push_back(Alert(Hostile(2000), AlertStatus::firing, i));
  out.push_back({"alert-grouped-hostile-40", many});
  return out;
}

std::vector<std::pair<std::string, std::vector<DigestRecord>>> digest_samples() {
  std::vector<std::pair<std::string, std::vector<DigestRecord>>> out;
  for (std::size_t n : {1, 3, 300}) out.push_back({fmt::format("digest-{}", n), Accounts(n)});
  auto hostile = Accounts(3);
  for (auto& d : hostile) {
    d.account = Hostile(10000);
    d.profile = Hostile();
    d.digest = Hostile(300);
    d.timezone = Hostile();
    for (auto& r : d.rules) r.rule = Hostile(500);
    for (auto& a : d.advice) a.text = Hostile(10000);
  }
  out.push_back({"digest-hostile", hostile});
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: kilter_render_samples DIR\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "render_samples: {}: {}\n", dir.string(), ec.message());
    return 1;
  }
  SlackOptions slack;
  slack.username = "Kilter";
  slack.icon_emoji = ":bar_chart:";
  const TeamsOptions teams;
  bool ok = true;
  std::size_t written = 0;
  for (const auto& [name, records] : alert_samples()) {
    ok = write(dir, fmt::format("slack-{}.json", name), slack_message(Ptrs(records), slack)) && ok;
    ok = write(dir, fmt::format("teams-{}.json", name), teams_message(Ptrs(records), teams)) && ok;
    written += 2;
  }
  for (const auto& [name, records] : digest_samples()) {
    ok = write(dir, fmt::format("slack-{}.json", name), slack_digest(Ptrs(records), slack)) && ok;
    ok = write(dir, fmt::format("teams-{}.json", name), teams_digest(Ptrs(records), teams)) && ok;
    written += 2;
  }
  fmt::print("render_samples: {} payloads in {}\n", written, dir.string());
  return ok ? 0 : 1;
}

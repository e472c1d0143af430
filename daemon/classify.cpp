// `kilterd classify`: post events on stdin, one JSON line per post on stdout.
#include <cstdio>
#include <iostream>
#include <string>

#include <fmt/format.h>

#include "common/json.h"
#include "config/loader.h"
#include "daemon/classifier_setup.h"
#include "daemon/classify_setup.h"
#include "daemon/commands.h"
#include "pipeline/classify/classifier.h"
#include "pipeline/ingest/decoder.h"

namespace kilter::daemon {

std::optional<ClassifySetup> classify_setup(const std::string& config_path) {
  ClassifySetup setup;
  if (!config_path.empty()) {
    auto loaded = config::load_file(config_path);
    if (!loaded.errors.empty()) {
      for (const auto& e : loaded.errors) fmt::print(stderr, "{}\n", e.to_string());
      return std::nullopt;
    }
    setup.cfg = std::move(*loaded.config);
  }
  auto classifier = make_classifier(setup.cfg.classifier);
  if (!classifier) {
    fmt::print(stderr, "classifier: {}\n", classifier.error().message);
    return std::nullopt;
  }
  setup.classifier = std::move(*classifier);
  return setup;
}

int classify(const std::string& config_path) {
  auto setup = classify_setup(config_path);
  if (!setup) return kExitConfig;
  const auto& cfg = setup->cfg;
  auto& classifier = setup->classifier;
  pipeline::Decoder decoder(cfg.pipeline.max_event_bytes);
  std::ios::sync_with_stdio(false);
  std::string line, out;
  std::size_t lineno = 0, bad = 0, posts = 0;
  while (std::getline(std::cin, line)) {
    ++lineno;
    Event ev;
    auto r = decoder.decode(line, ev);
    if (!r.ok) {
      ++bad;
      fmt::print(stderr, "line {}: bad input: {}{}{}\n", lineno, pipeline::to_string(r.reason),
                 r.field.empty() ? "" : " ", r.field);
      continue;
    }
    if (ev.type != EventType::post) continue;
    auto policy = config::resolve_account(cfg, ev.account);
    auto terms = pipeline::normalize_terms(policy.brand_terms);
    auto c = classifier->classify(ev, terms);
    ++posts;
    out.clear();
    out += "{\"post_id\":";
    json::append_string(out, ev.post_id);
    out += ",\"account\":";
    json::append_string(out, ev.account);
    out += ",\"category\":";
    json::append_string(out, to_string(c.category));
    out += ",\"confidence\":";
    json::append_number(out, std::round(c.confidence * 1000) / 1000);
    out += ",\"trusted\":";
    out += c.trusted ? "true" : "false";
    out += ",\"matched\":[";
    for (std::size_t i = 0; i < c.matched.size(); ++i) {
      if (i > 0) out.push_back(',');
      json::append_string(out, c.matched[i]);
    }
    out += "]}\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  std::fflush(stdout);
  if (bad > 0) fmt::print(stderr, "{} post(s) classified, {} bad line(s) skipped\n", posts, bad);
  return kExitOk;
}

}  // namespace kilter::daemon

// The sinks that speak HTTP: webhook (the SPEC record, optionally signed),
// Slack, Teams and Alertmanager (rendered by channels.h). Internal to pipeline/:
// make_sink() is the way in.
#pragma once

#include <memory>

#include "pipeline/delivery/sink.h"

namespace kilter::pipeline {

// How a receiver's answer becomes a SinkResult: 2xx ok; 408, 425, 429, 5xx and no
// answer are retried; other 4xx are refusals.
SinkResult classify(const OutboundResponse& r);

// The sink of an HTTP type (webhook, slack, teams, alertmanager), built from its
// own options; nullptr for another type.
std::unique_ptr<Sink> make_http_sink(const config::SinkConfig& c, const SinkContext& ctx);

}  // namespace kilter::pipeline

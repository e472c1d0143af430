// The `kafka` alert sink: each SPEC alert record as one message keyed by account,
// through the daemon's idempotent producer.
#pragma once

#include <memory>

#include "config/config.h"
#include "kafka/producer.h"
#include "pipeline/delivery/sink.h"

namespace kilter::kafka {

// `c` is a kafka sink's configuration; `producer` must outlive the sink.
std::unique_ptr<pipeline::Sink> make_alert_sink(const config::SinkConfig& c, Producer& producer);

}  // namespace kilter::kafka

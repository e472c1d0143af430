// Metrics without a metrics library. Each component declares its own metrics
// beside it (pipeline/engine/engine_metrics.h, storage/storage_metrics.h, ...)
// and writes them, at scrape time, from its own plain counters into a Writer;
// the one exposition (daemon/server/metrics.cpp, Prometheus's text format) is
// the only Writer the daemon has. Nothing here allocates per event: a component
// counts into its stats struct and is read only when /metrics is asked for.
//
// The declarations follow Envoy's stats macros: a component lists its
// single-sample metrics once, in a list macro (lines continued with "\"):
//
//   #define KILTER_OUTBOX_METRICS(COUNTER, GAUGE)
//     GAUGE(kilter_outbox_entries, "Alert records not yet taken ...", entries)
//     COUNTER(kilter_outbox_record_failures_total, "...", record_failures)
//
// each entry the metric's full name, its help text and the field of the
// component's stats struct it reads, and writes them with
//
//   void write_metrics(metrics::Writer& out, const OutboxStats& stats) {
//     KILTER_OUTBOX_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
//   }
//
// (the expanders read `out` and `stats` where they are expanded). Families with
// labels are written out by hand beside the list, with Writer::family/sample.
// Naming: Prometheus conventions, kilter_ prefix, no per-account labels.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "common/histogram.h"

namespace kilter::metrics {

enum class Type { counter, gauge, histogram };

struct Label {
  std::string_view name;
  std::string_view value;
};

class Writer {
 public:
  virtual ~Writer() = default;
  // Starts a family: the samples written next belong to it. Each name once.
  virtual void family(std::string_view name, std::string_view help, Type type) = 0;
  // One sample of the current counter or gauge family.
  virtual void sample(std::initializer_list<Label> labels, double value) = 0;
  // The one sample of the current histogram family: per-bucket counts (not
  // cumulative; the last one is above every bound) and the sum observed.
  virtual void histogram_sample(std::span<const double> bounds,
                                std::span<const std::uint64_t> counts, double sum) = 0;

  // A family of one sample without labels.
  void counter(std::string_view name, std::string_view help, double value) {
    family(name, help, Type::counter);
    sample({}, value);
  }
  void gauge(std::string_view name, std::string_view help, double value) {
    family(name, help, Type::gauge);
    sample({}, value);
  }
  template <std::size_t N>
  void histogram(std::string_view name, std::string_view help, const Histogram<N>& h) {
    family(name, help, Type::histogram);
    histogram_sample(h.bounds(), h.counts(), h.sum());
  }
};

}  // namespace kilter::metrics

// Expanders for a component's metric list (see above): NAME is the metric's
// full name, HELP its help text, FIELD the member of `stats` it reads (a bool
// reads as 1 or 0).
#define KILTER_METRIC_COUNTER(NAME, HELP, FIELD) \
  out.counter(#NAME, HELP, static_cast<double>(stats.FIELD));
#define KILTER_METRIC_GAUGE(NAME, HELP, FIELD) \
  out.gauge(#NAME, HELP, static_cast<double>(stats.FIELD));
#define KILTER_METRIC_HISTOGRAM(NAME, HELP, FIELD) out.histogram(#NAME, HELP, stats.FIELD);

#include "daemon/server/metrics.h"

#include <cstdlib>
#include <limits>
#include <sstream>
#include <vector>

#include <prometheus/metric_family.h>
#include <prometheus/text_serializer.h>

namespace kilter::daemon {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

struct TextExposition::Families {
  std::vector<MetricFamily> all;
  // The family samples go to; a sample before any family is a broken invariant.
  MetricFamily& current() {
    if (all.empty()) std::abort();
    return all.back();
  }
};

TextExposition::TextExposition() : families_(std::make_unique<Families>()) {}
TextExposition::~TextExposition() = default;

void TextExposition::family(std::string_view name, std::string_view help, metrics::Type type) {
  MetricType t = MetricType::Gauge;
  switch (type) {
    case metrics::Type::counter:
      t = MetricType::Counter;
      break;
    case metrics::Type::gauge:
      t = MetricType::Gauge;
      break;
    case metrics::Type::histogram:
      t = MetricType::Histogram;
      break;
  }
  families_->all.push_back(MetricFamily{std::string(name), std::string(help), t, {}});
}

void TextExposition::sample(std::initializer_list<metrics::Label> labels, double value) {
  auto& f = families_->current();
  ClientMetric m;
  for (const auto& l : labels) m.label.push_back({std::string(l.name), std::string(l.value)});
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else if (f.type == MetricType::Gauge) {
    m.gauge.value = value;
  } else {
    std::abort();  // a histogram family takes histogram_sample
  }
  f.metric.push_back(std::move(m));
}

void TextExposition::histogram_sample(std::span<const double> bounds,
                                      std::span<const std::uint64_t> counts, double sum) {
  auto& f = families_->current();
  if (f.type != MetricType::Histogram || counts.size() != bounds.size() + 1) std::abort();
  ClientMetric m;
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += counts[i];
    m.histogram.bucket.push_back({cumulative, bounds[i]});
  }
  cumulative += counts[bounds.size()];
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = sum;
  f.metric.push_back(std::move(m));
}

std::string TextExposition::text() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families_->all);
  return out.str();
}

}  // namespace kilter::daemon

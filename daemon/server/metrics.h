// The Prometheus exposition of /metrics, the one place that knows the text
// format (prometheus-cpp's serializer). Components write their own metrics
// into it through common/metrics.h, at scrape time, from their own counters
// (nothing is counted twice); daemon/daemon_metrics.h gathers them.
#pragma once

#include <memory>
#include <string>

#include "common/metrics.h"

namespace kilter::daemon {

class TextExposition final : public metrics::Writer {
 public:
  TextExposition();
  ~TextExposition() override;
  TextExposition(const TextExposition&) = delete;
  TextExposition& operator=(const TextExposition&) = delete;

  void family(std::string_view name, std::string_view help, metrics::Type type) override;
  void sample(std::initializer_list<metrics::Label> labels, double value) override;
  void histogram_sample(std::span<const double> bounds, std::span<const std::uint64_t> counts,
                        double sum) override;

  // The families written so far, in the order written, in Prometheus's text format.
  std::string text() const;

 private:
  struct Families;
  std::unique_ptr<Families> families_;
};

}  // namespace kilter::daemon

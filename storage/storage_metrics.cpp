#include "storage/storage_metrics.h"

namespace kilter::storage {

void write_metrics(metrics::Writer& out, const StoreStats& stats) {
  KILTER_STORAGE_METRICS(KILTER_METRIC_COUNTER, KILTER_METRIC_GAUGE)
}

}  // namespace kilter::storage

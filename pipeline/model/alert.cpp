#include "pipeline/model/alert.h"

namespace kilter {

std::string_view to_string(AlertStatus s) {
  return s == AlertStatus::firing ? "firing" : "resolved";
}

}  // namespace kilter

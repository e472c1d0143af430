// L-BFGS (Nocedal & Wright, algorithm 7.4: the two-loop recursion) with a backtracking
// Armijo line search, on the mean softmax cross-entropy plus an L2 term. The objective is
// convex and smooth, so this needs no tuning beyond λ. Only rows that some example uses
// are optimised: the others have a zero gradient and stay 0.
#include "pipeline/train/logistic.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include <fmt/format.h>

namespace kilter::pipeline {
namespace {

constexpr std::size_t K = 3;

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// The objective over the compacted rows (`local` ids): value and gradient.
class Objective {
 public:
  Objective(const SparseSet& set, std::vector<std::uint32_t> local, double l2)
      : set_(set), local_(std::move(local)), l2_(l2) {
    for (auto w : set_.weights) total_ += w;
  }

  double operator()(const std::vector<double>& w, std::vector<double>& g) const {
    std::fill(g.begin(), g.end(), 0.0);
    double loss = 0;
    for (std::size_t i = 0; i < set_.size(); ++i) {
      const double inv_n = set_.weights[i] / total_;
      const auto b = set_.offsets[i], e = set_.offsets[i + 1];
      double z[K] = {0, 0, 0};
      for (auto j = b; j < e; ++j) {
        const double* r = &w[std::size_t{local_[j]} * K];
        const double v = set_.values[j];
        for (std::size_t c = 0; c < K; ++c) z[c] += v * r[c];
      }
      const double m = std::max({z[0], z[1], z[2]});
      double p[K], sum = 0;
      for (std::size_t c = 0; c < K; ++c) sum += p[c] = std::exp(z[c] - m);
      const auto y = set_.labels[i];
      loss += (m + std::log(sum) - z[y]) * inv_n;
      for (std::size_t c = 0; c < K; ++c) p[c] = (p[c] / sum - (c == y ? 1.0 : 0.0)) * inv_n;
      for (auto j = b; j < e; ++j) {
        double* r = &g[std::size_t{local_[j]} * K];
        const double v = set_.values[j];
        for (std::size_t c = 0; c < K; ++c) r[c] += v * p[c];
      }
    }
    for (std::size_t k = 0; k < w.size(); ++k) {
      loss += 0.5 * l2_ * w[k] * w[k];
      g[k] += l2_ * w[k];
    }
    return loss;
  }

 private:
  const SparseSet& set_;
  std::vector<std::uint32_t> local_;  // per feature occurrence: its compacted row
  double l2_;
  double total_ = 0;  // the examples' weights, summed
};

}  // namespace

LogisticFit fit_logistic(const SparseSet& set, std::size_t rows, const LogisticOptions& o,
                         const std::function<void(std::string_view)>& progress) {
  LogisticFit out;
  out.weights.assign(rows * K, 0.0);
  if (set.size() == 0) return out;
  // Compact the rows in use, in id order (deterministic).
  std::vector<std::uint32_t> used(set.ids);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  std::vector<std::uint32_t> local(set.ids.size());
  for (std::size_t j = 0; j < set.ids.size(); ++j)
    local[j] = static_cast<std::uint32_t>(std::lower_bound(used.begin(), used.end(), set.ids[j]) -
                                          used.begin());
  const Objective f(set, std::move(local), o.l2);
  const std::size_t n = used.size() * K;

  std::vector<double> x(n, 0.0), g(n), xn(n), gn(n), d(n);
  double fx = f(x, g);
  struct Pair {
    std::vector<double> s, y;
    double rho;
  };
  std::deque<Pair> hist;
  std::vector<double> alpha;
  int it = 0;
  for (; it < o.max_iterations; ++it) {
    double gmax = 0;
    for (double v : g) gmax = std::max(gmax, std::abs(v));
    if (gmax < o.tolerance) {
      out.converged = true;
      break;
    }
    // d = -H g by the two-loop recursion, H0 = γI with γ = s'y / y'y of the newest pair.
    d = g;
    alpha.assign(hist.size(), 0.0);
    for (std::size_t k = hist.size(); k-- > 0;) {
      alpha[k] = hist[k].rho * dot(hist[k].s, d);
      for (std::size_t i = 0; i < n; ++i) d[i] -= alpha[k] * hist[k].y[i];
    }
    double gamma = 1;
    if (!hist.empty()) gamma = 1 / (hist.back().rho * dot(hist.back().y, hist.back().y));
    for (auto& v : d) v *= gamma;
    for (std::size_t k = 0; k < hist.size(); ++k) {
      const double beta = hist[k].rho * dot(hist[k].y, d);
      for (std::size_t i = 0; i < n; ++i) d[i] += hist[k].s[i] * (alpha[k] - beta);
    }
    for (auto& v : d) v = -v;
    double gd = dot(g, d);
    if (gd >= 0) {  // not a descent direction (numerical trouble): restart from -g
      hist.clear();
      for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
      gd = dot(g, d);
    }
    double step = hist.empty() ? 1 / std::sqrt(dot(g, g)) : 1.0;
    double fn = 0;
    bool accepted = false;
    for (int ls = 0; ls < 50; ++ls) {
      for (std::size_t i = 0; i < n; ++i) xn[i] = x[i] + step * d[i];
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * gd) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;  // no decrease left at double precision: as good as it gets
    Pair p{std::vector<double>(n), std::vector<double>(n), 0};
    for (std::size_t i = 0; i < n; ++i) p.s[i] = xn[i] - x[i], p.y[i] = gn[i] - g[i];
    const double sy = dot(p.s, p.y);
    if (sy > 1e-12) {
      p.rho = 1 / sy;
      if (hist.size() == static_cast<std::size_t>(std::max(1, o.history))) hist.pop_front();
      hist.push_back(std::move(p));
    }
    const double decrease = fx - fn;
    x.swap(xn);
    g.swap(gn);
    fx = fn;
    if (progress && (it + 1) % 50 == 0)
      progress(fmt::format("logistic: iteration {}, objective {:.6f}", it + 1, fx));
    if (decrease <= 1e-12 * std::max(1.0, std::abs(fx))) {
      out.converged = true;
      ++it;
      break;
    }
  }
  out.iterations = it;
  out.loss = fx;
  for (std::size_t r = 0; r < used.size(); ++r)
    for (std::size_t c = 0; c < K; ++c) out.weights[std::size_t{used[r]} * K + c] = x[r * K + c];
  return out;
}

}  // namespace kilter::pipeline

// SPDX-License-Identifier: BSD-3-Clause
// Statistics for physics tests: chi-square goodness of fit (with its p-value from the regularised
// upper incomplete gamma function), the Kolmogorov–Smirnov statistic, Pearson correlation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace chroma2::test {

// Regularised upper incomplete gamma Q(a, x): series below a+1, continued fraction above.
inline double gamma_q(double a, double x) {
  if (x <= 0) return 1.0;
  const double lg = std::lgamma(a);
  if (x < a + 1.0) {
    double sum = 1.0 / a, term = sum;
    for (int n = 1; n < 100000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (std::fabs(term) < std::fabs(sum) * 1e-15) break;
    }
    return 1.0 - sum * std::exp(-x + a * std::log(x) - lg);
  }
  // Lentz's method for the continued fraction
  double b = x + 1.0 - a, c = 1e300, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (std::fabs(c) < 1e-300) c = 1e-300;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-15) break;
  }
  return std::exp(-x + a * std::log(x) - lg) * h;
}

struct ChiSquare {
  double chi2;
  int dof;
  double p_value;
};

// Observed counts against expected counts (same length); dof = bins - 1.
inline ChiSquare chi_square(const std::vector<double>& observed,
                            const std::vector<double>& expected) {
  double chi2 = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    const double d = observed[i] - expected[i];
    chi2 += d * d / expected[i];
  }
  const int dof = static_cast<int>(observed.size()) - 1;
  return {chi2, dof, gamma_q(dof / 2.0, chi2 / 2.0)};
}

// Histogram of values in [lo, hi) into n equal bins, against a flat expectation.
inline ChiSquare chi_square_flat(const std::vector<double>& values, double lo, double hi, int n) {
  std::vector<double> obs(n, 0.0), exp(n, static_cast<double>(values.size()) / n);
  for (double v : values) {
    int b = static_cast<int>((v - lo) / (hi - lo) * n);
    b = std::clamp(b, 0, n - 1);
    obs[b] += 1;
  }
  return chi_square(obs, exp);
}

// Two-sided KS statistic of a sample against a CDF.
template <class Cdf>
double ks_statistic(std::vector<double> sample, Cdf cdf) {
  std::sort(sample.begin(), sample.end());
  const double n = static_cast<double>(sample.size());
  double d = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const double f = cdf(sample[i]);
    d = std::max({d, f - i / n, (i + 1) / n - f});
  }
  return d;
}
// KS critical value at significance alpha for large n (asymptotic Kolmogorov distribution).
inline double ks_critical(std::size_t n, double alpha) {
  return std::sqrt(-0.5 * std::log(alpha / 2.0)) / std::sqrt(static_cast<double>(n));
}

inline double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i], mb += b[i];
  ma /= n, mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

}  // namespace chroma2::test

//===- Monitors.cpp - Measures of learning dynamics -----------------------===//

#include "hebb/runtime/Monitors.h"

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>

using namespace hebb::rt;

bool hebb::rt::isMonitor(const std::string &name, bool &ofProjection) {
  ofProjection = name == "drift" || name == "effective_rank";
  return ofProjection || name == "dormant_ratio" || name == "active_fraction";
}

double hebb::rt::relativeDrift(const std::vector<double> &w,
                               const std::vector<double> &w0) {
  double moved = 0, base = 0;
  for (size_t i = 0; i < w.size() && i < w0.size(); ++i) {
    moved += (w[i] - w0[i]) * (w[i] - w0[i]);
    base += w0[i] * w0[i];
  }
  if (base == 0)
    return moved == 0 ? 0 : INFINITY;
  return std::sqrt(moved / base);
}

double hebb::rt::effectiveRank(const std::vector<double> &matrix, size_t rows,
                               size_t cols) {
  if (rows == 0 || cols == 0 || matrix.size() < rows * cols)
    return 0;
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                                 Eigen::RowMajor>>
      m(matrix.data(), Eigen::Index(rows), Eigen::Index(cols));
  Eigen::BDCSVD<Eigen::MatrixXd> svd(m);
  const Eigen::VectorXd &sigma = svd.singularValues();
  double total = sigma.sum();
  if (!(total > 0))
    return 0;
  double entropy = 0;
  for (Eigen::Index k = 0; k < sigma.size(); ++k) {
    double p = sigma[k] / total;
    if (p > 0)
      entropy -= p * std::log(p);
  }
  return std::exp(entropy);
}

double hebb::rt::dormantRatio(const std::vector<double> &activity, double tau) {
  if (activity.empty())
    return 0;
  double mean = 0;
  for (double a : activity)
    mean += std::fabs(a);
  mean /= double(activity.size());
  if (mean == 0)
    return 1;
  size_t dormant = 0;
  for (double a : activity)
    dormant += std::fabs(a) / mean <= tau;
  return double(dormant) / double(activity.size());
}

double hebb::rt::activeFraction(const std::vector<double> &activity) {
  if (activity.empty())
    return 0;
  size_t active = 0;
  for (double a : activity)
    active += a != 0;
  return double(active) / double(activity.size());
}

std::vector<double> hebb::rt::rowDistances(const std::vector<double> &a,
                                           const std::vector<double> &b,
                                           size_t cols) {
  std::vector<double> out;
  if (cols == 0)
    return out;
  size_t rows = std::min(a.size(), b.size()) / cols;
  out.reserve(rows);
  for (size_t k = 0; k < rows; ++k) {
    double sum = 0;
    for (size_t i = k * cols; i < (k + 1) * cols; ++i)
      sum += (a[i] - b[i]) * (a[i] - b[i]);
    out.push_back(std::sqrt(sum));
  }
  return out;
}

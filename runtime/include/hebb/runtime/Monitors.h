//===- Monitors.h - Measures of learning dynamics ---------------*- C++ -*-===//
//
// Scalars a network records like state (`record syn.drift every 1 s`):
// how far a weight matrix has moved, its effective rank, and how many
// neurons of a population are active or dormant.
//
//===----------------------------------------------------------------------===//

#ifndef HEBB_RUNTIME_MONITORS_H
#define HEBB_RUNTIME_MONITORS_H

#include <cstddef>
#include <string>
#include <vector>

namespace hebb::rt {

/// The monitors a record may name, and whether each is of a projection.
bool isMonitor(const std::string &name, bool &ofProjection);

/// ||w - w0|| / ||w0|| (Frobenius); 0 when w0 is all zeros and w equals it.
double relativeDrift(const std::vector<double> &w,
                     const std::vector<double> &w0);

/// The effective rank of a rows x cols matrix (row-major; Roy & Vetterli
/// 2007): exp of the entropy of its singular values normalised to sum to
/// 1. A rank-k matrix with k equal singular values has effective rank k;
/// the zero matrix has 0.
double effectiveRank(const std::vector<double> &matrix, size_t rows,
                     size_t cols);

/// The fraction of neurons whose activity is at most `tau` times the
/// population's mean activity (dormant neurons, Sokar et al. 2023); all
/// are dormant if none is active.
double dormantRatio(const std::vector<double> &activity, double tau = 0.1);

/// The fraction of neurons with non-zero activity.
double activeFraction(const std::vector<double> &activity);

/// Two runs of the same network compared sample by sample (chaos checks):
/// the Euclidean distance between row k of `a` and row k of `b`, for as
/// many rows of `cols` values as both have.
std::vector<double> rowDistances(const std::vector<double> &a,
                                 const std::vector<double> &b, size_t cols);

} // namespace hebb::rt

#endif // HEBB_RUNTIME_MONITORS_H

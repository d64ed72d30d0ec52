#pragma once

// Every way of reducing a [2, 3, 4] tensor, and a one-element-at-a-time reference to check reductions against:
//   for (const Reduction& r : kReductions) CHECK_THAT(ag::sum(x, r.dims, r.keepdim), HasValues(sum_by_hand(x, r)));

#include <autograd/tensor.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

struct Reduction {
  std::vector<std::int64_t> dims;
  bool keepdim;
  ag::Shape result;

  std::string describe() const { return fmt::format("dims [{}], keepdim {}", fmt::join(dims, ", "), keepdim); }
};

// One dim, negative dims, several dims, and all (no dims).
inline const std::vector<Reduction> kReductions = {
    {{0}, false, {3, 4}},    {{1}, true, {2, 1, 4}}, {{-1}, false, {2, 3}},
    {{-1}, true, {2, 3, 1}}, {{0, 2}, false, {3}},   {{2, -3}, true, {1, 3, 1}},
    {{0, 1, 2}, false, {}},  {{}, false, {}},        {{}, true, {1, 1, 1}},
};

// Folds each group of a [2, 3, 4] tensor that `r` reduces with combine(accumulated, value), from `initial`.
template <class Combine>
std::vector<double> reduce_by_hand(const ag::Tensor& x, const Reduction& r, double initial, Combine combine) {
  const auto& dims = r.dims;
  std::int64_t kept[3] = {2, 3, 4};
  for (int d = 0; d < 3; ++d)
    if (dims.empty() || std::count(dims.begin(), dims.end(), d) || std::count(dims.begin(), dims.end(), d - 3))
      kept[d] = 1;
  std::vector<double> out(static_cast<std::size_t>(kept[0] * kept[1] * kept[2]), initial);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        double& slot = out[((i % kept[0]) * kept[1] + j % kept[1]) * kept[2] + k % kept[2]];
        slot = combine(slot, x.at({i, j, k}));
      }
  return out;
}

inline std::vector<double> sum_by_hand(const ag::Tensor& x, const Reduction& r) {
  return reduce_by_hand(x, r, 0.0, [](double total, double v) { return total + v; });
}

// Elements reduced into each result element.
inline double group_size(const Reduction& r) { return 24.0 / static_cast<double>(r.result.numel()); }

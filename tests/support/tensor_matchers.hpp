#pragma once

// Checks a tensor's values in one line: CHECK_THAT(a + b, HasValues({11, 22, 33}));
// Values are compared in row-major order, each as Catch's Approx does, with an absolute margin for values near 0.
// On failure Catch prints the whole tensor. Shapes print as [2, 3] in CHECK(t.shape() == ag::Shape{2, 3}).

#include <autograd/format.hpp>
#include <autograd/tensor.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

namespace Catch {
template <>
struct StringMaker<ag::Shape> {
  static std::string convert(const ag::Shape& shape) { return fmt::format("{}", shape); }
};
}  // namespace Catch

class HasValues : public Catch::MatcherBase<ag::Tensor> {
 public:
  explicit HasValues(std::vector<double> expected, double margin = 1e-9)
      : expected_(std::move(expected)), margin_(margin) {}

  bool match(const ag::Tensor& tensor) const override {
    const std::vector<double> values = tensor.to_vector();
    if (values.size() != expected_.size()) return false;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (values[i] != Approx(expected_[i]).margin(margin_)) return false;
    return true;
  }
  std::string describe() const override { return "has values " + Catch::Detail::stringify(expected_); }

 private:
  std::vector<double> expected_;
  double margin_;
};

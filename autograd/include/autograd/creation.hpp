#pragma once

#include <autograd/tensor.hpp>
#include <autograd/tensor_options.hpp>

#include <cstdint>
#include <initializer_list>
#include <variant>
#include <vector>

namespace ag {

// Values written as nested braces: ag::tensor({{1, 2}, {3, 4}}).
class NestedValues {
 public:
  NestedValues(double value) : value_(value) {}  // NOLINT: implicit, so plain numbers nest
  NestedValues(std::initializer_list<NestedValues> values) : value_(std::vector<NestedValues>(values)) {}

  // Flattens row-major, checking that every row of a level has the same length.
  void flatten(Shape& shape, std::vector<double>& values) const;

 private:
  void flatten_level(int depth, Shape& shape, std::vector<double>& values) const;
  std::variant<double, std::vector<NestedValues>> value_;
};

Tensor tensor(const NestedValues& values, TensorOptions options = {});
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = {});
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});

// A 0-d tensor: the scalar of micrograd-style code.
Tensor scalar(double value, bool requires_grad = false);
Tensor scalar(double value, TensorOptions options);

Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);
Tensor arange(double end, TensorOptions options = {});
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});

// Random tensors from the global generator (see random.hpp): uniform in [0, 1) and standard normal.
Tensor rand(const Shape& shape, TensorOptions options = {});
Tensor randn(const Shape& shape, TensorOptions options = {});

}  // namespace ag

#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>
#include <autograd/tensor_options.hpp>

#include <cstdint>
#include <initializer_list>
#include <variant>
#include <vector>

namespace ag {

/// Values written as nested braces: ag::tensor({{1, 2}, {3, 4}}).
class NestedValues {
 public:
  /// One number, the innermost level. Implicit, so plain numbers nest.
  NestedValues(double value) : value_(value) {}  // NOLINT: implicit, so plain numbers nest
  /// A list of numbers or of further lists: one level of the nesting.
  NestedValues(std::initializer_list<NestedValues> values) : value_(std::vector<NestedValues>(values)) {}

  /// Flattens row-major into `values`, with the nesting's `shape`, checking that every row of a level has the same
  /// length. Throws ag::Error for ragged rows, or where numbers and lists are mixed on one level.
  void flatten(Shape& shape, std::vector<double>& values) const;

 private:
  void flatten_level(int depth, Shape& shape, std::vector<double>& values) const;
  std::variant<double, std::vector<NestedValues>> value_;
};

/// A tensor of the values written as nested braces, of the options' dtype (the default dtype unless set):
/// ag::tensor({{1, 2}, {3, 4}}) has shape [2, 2]. Throws ag::Error for ragged rows, or where numbers and lists are
/// mixed on one level.
Tensor tensor(const NestedValues& values, TensorOptions options = {});
/// A tensor of `shape` holding `values` row-major, converted to the options' dtype. Throws ag::Error if the count of
/// values is not shape.numel().
Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options = {});
/// A tensor of `shape` holding float `values` row-major, converted to the options' dtype. Throws ag::Error if the
/// count of values is not shape.numel().
Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options = {});

/// A 0-d tensor of the default dtype: the scalar of micrograd-style code.
Tensor scalar(double value, bool requires_grad = false);
/// A 0-d tensor made with `options`.
Tensor scalar(double value, TensorOptions options);

/// A tensor of `shape` whose values are not initialised. Every tensor's buffer is made here: throws ag::Error when
/// it cannot be allocated, or when the options ask an integer or bool tensor to require grad.
Tensor empty(const Shape& shape, TensorOptions options = {});
/// A tensor of `shape` filled with 0.
Tensor zeros(const Shape& shape, TensorOptions options = {});
/// A tensor of `shape` filled with 1.
Tensor ones(const Shape& shape, TensorOptions options = {});
/// A tensor of `shape` filled with `value`, converted to the options' dtype.
Tensor full(const Shape& shape, double value, TensorOptions options = {});
/// Zeros of the shape and dtype of `like`; it does not require grad.
Tensor zeros_like(const Tensor& like);
/// Ones of the shape and dtype of `like`; it does not require grad.
Tensor ones_like(const Tensor& like);
/// `value` in the shape and dtype of `like`; it does not require grad.
Tensor full_like(const Tensor& like, double value);
/// 0, 1, ..., up to but excluding `end`, of the options' dtype (the default dtype unless set, not int64 as in
/// PyTorch). Throws ag::Error if `end` is not finite.
Tensor arange(double end, TensorOptions options = {});
/// start, start + step, ..., up to but excluding `end`: ceil((end - start) / step) values, none if that is not
/// positive. Throws ag::Error if a bound or the step is not finite, or the step is 0.
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});

/// Uniform values in [0, 1) from the global generator (see random.hpp). Throws ag::Error for a dtype other than
/// float32 or float64.
Tensor rand(const Shape& shape, TensorOptions options = {});
/// Standard normal values from the global generator (see random.hpp). Throws ag::Error for a dtype other than
/// float32 or float64.
Tensor randn(const Shape& shape, TensorOptions options = {});

}  // namespace ag

#pragma GCC visibility pop

#include <autograd/creation.hpp>
#include <autograd/detail/storage.hpp>
#include <autograd/random.hpp>
#include <autograd/run_kernel.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

namespace ag {

void NestedValues::flatten(Shape& shape, std::vector<double>& values) const {
  shape = Shape();
  values.clear();
  flatten_level(0, shape, values);
}

void NestedValues::flatten_level(int depth, Shape& shape, std::vector<double>& values) const {
  if (const double* value = std::get_if<double>(&value_)) {
    if (depth != shape.size()) fail("tensor: a number stands where a list was expected (depth {})", depth);
    values.push_back(*value);
    return;
  }
  const auto& rows = std::get<std::vector<NestedValues>>(value_);
  const auto length = static_cast<std::int64_t>(rows.size());
  if (depth == shape.size()) {
    if (!values.empty()) fail("tensor: a list stands where a number was expected (depth {})", depth);
    shape.push_back(length);
  } else if (shape[depth] != length) {
    fail("tensor: ragged nested lists: a row at depth {} has {} elements, an earlier one {}", depth, length,
         shape[depth]);
  }
  for (const NestedValues& row : rows) row.flatten_level(depth + 1, shape, values);
}

namespace {

// The host values, converted to the tensor's dtype. They are the kernel's argument, so that a trace keeps a copy of
// them to write again at each replay while an eager call copies nothing.
template <class Source>
Tensor from_values(const std::vector<Source>& values, const Shape& shape, const TensorOptions& options) {
  Tensor result = empty(shape, options);
  dispatch(result.dtype(), [&]<class T>(T) {
    run_kernel(
        "tensor",
        [](const std::vector<Source>& values, Tensor& result) {
          std::transform(values.begin(), values.end(), result.mutable_data<T>(),
                         [](Source v) { return static_cast<T>(v); });
        },
        values, result);
  });
  return result;
}

template <class Source>
void check_count(const std::vector<Source>& values, const Shape& shape) {
  if (static_cast<std::int64_t>(values.size()) != shape.numel())
    fail("from_vector: {} values given for shape {}, which holds {}", values.size(), shape, shape.numel());
}

// Values that `draw(values, count)` takes from the global generator as doubles, in the tensor's floating dtype. The
// draw happens inside the kernel, so that each replay of a trace takes new numbers from the generator as an eager
// step would. `below_one`: a double just below 1 rounds up to 1.0f; rand keeps [0, 1) as promised. The tensor is made
// first, so that a shape too large for memory gets empty's error before any buffer is made.
template <class Draw>
Tensor drawn(const char* op, const Shape& shape, const TensorOptions& options, bool below_one, Draw draw) {
  Tensor result = empty(shape, options);
  dispatch_floating(result.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [below_one, draw](Tensor& result) {
          const std::int64_t n = result.numel();
          if constexpr (std::is_same_v<T, double>) {
            draw(result.mutable_data<double>(), n);
          } else {
            std::vector<double> values(static_cast<std::size_t>(n));
            draw(values.data(), n);
            T* out = result.mutable_data<T>();
            std::transform(values.begin(), values.end(), out, [](double v) { return static_cast<T>(v); });
            if (below_one)
              for (std::int64_t i = 0; i < n; ++i) out[i] = std::min(out[i], std::nextafter(T(1), T(0)));
          }
        },
        result);
  });
  return result;
}

[[noreturn]] void fail_allocation(const Shape& shape, DType dtype, const std::string& bytes) {
  fail("empty: cannot allocate {} bytes for shape {} ({}): out of memory", bytes, shape, dtype_name(dtype));
}

// The size of a tensor's buffer, refused where no allocation could hold it (numel() itself throws where the
// element count overflows int64), so that a wrapped byte count never reaches malloc.
std::uint64_t buffer_bytes(const Shape& shape, DType dtype) {
  std::uint64_t bytes = 0;
  if (__builtin_mul_overflow(static_cast<std::uint64_t>(shape.numel()), dtype_size(dtype), &bytes))
    fail_allocation(shape, dtype, fmt::format("more than {}", std::numeric_limits<std::uint64_t>::max()));
  constexpr auto kLargest = static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max());
  if (bytes > kLargest - detail::Storage::kHeaderBytes) fail_allocation(shape, dtype, std::to_string(bytes));
  return bytes;
}

}  // namespace

Tensor tensor(const NestedValues& values, TensorOptions options) {
  Shape shape;
  std::vector<double> flat;
  values.flatten(shape, flat);
  return from_values(flat, shape, options);
}

Tensor from_vector(const std::vector<double>& values, const Shape& shape, TensorOptions options) {
  check_count(values, shape);
  return from_values(values, shape, options);
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape, TensorOptions options) {
  check_count(values, shape);
  return from_values(values, shape, options);
}

Tensor scalar(double value, bool with_grad) { return full({}, value, ag::requires_grad(with_grad)); }
Tensor scalar(double value, TensorOptions options) { return full({}, value, options); }

Tensor empty(const Shape& shape, TensorOptions options) {
  if (options.requires_grad() && !is_floating_point(options.dtype()))
    detail::fail_grad_dtype("requires_grad", options.dtype());
  // Every tensor's buffer is made here, so this is where running out of memory becomes an ag::Error.
  const std::uint64_t bytes = buffer_bytes(shape, options.dtype());
  detail::TensorImpl* impl = nullptr;
  try {
    impl = detail::TensorImpl::create(shape, options.dtype());
  } catch (const std::bad_alloc&) {
    fail_allocation(shape, options.dtype(), std::to_string(bytes));
  }
  Tensor result(impl);
  result.impl()->requires_grad = options.requires_grad();
  return result;
}

Tensor full(const Shape& shape, double value, TensorOptions options) {
  Tensor result = empty(shape, options);
  dispatch(result.dtype(), [&]<class T>(T) {
    run_kernel(
        "full",
        [fill = static_cast<T>(value)](Tensor& result) { std::fill_n(result.mutable_data<T>(), result.numel(), fill); },
        result);
  });
  return result;
}

Tensor zeros(const Shape& shape, TensorOptions options) { return full(shape, 0.0, options); }
Tensor ones(const Shape& shape, TensorOptions options) { return full(shape, 1.0, options); }
Tensor zeros_like(const Tensor& like) { return full(like.shape(), 0.0, like.dtype()); }
Tensor ones_like(const Tensor& like) { return full(like.shape(), 1.0, like.dtype()); }
Tensor full_like(const Tensor& like, double value) { return full(like.shape(), value, like.dtype()); }

Tensor arange(double end, TensorOptions options) { return arange(0.0, end, 1.0, options); }

Tensor arange(double start, double end, double step, TensorOptions options) {
  if (step == 0.0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step))
    fail("arange: start {}, end {} and step {} must be finite and step non-zero", start, end, step);
  const auto count = static_cast<std::int64_t>(std::max(0.0, std::ceil((end - start) / step)));
  Tensor result = empty({count}, options);
  dispatch(result.dtype(), [&]<class T>(T) {
    run_kernel(
        "arange",
        [start, step](Tensor& result) {
          T* out = result.mutable_data<T>();
          for (std::int64_t i = 0, n = result.numel(); i < n; ++i)
            out[i] = static_cast<T>(start + static_cast<double>(i) * step);
        },
        result);
  });
  return result;
}

Tensor rand(const Shape& shape, TensorOptions options) {
  if (!is_floating_point(options.dtype())) fail_unsupported_dtype("rand", options.dtype(), "float32 or float64");
  return drawn("rand", shape, options, true, [](double* v, std::int64_t n) { fill_uniform(v, n, 0.0, 1.0); });
}

Tensor randn(const Shape& shape, TensorOptions options) {
  if (!is_floating_point(options.dtype())) fail_unsupported_dtype("randn", options.dtype(), "float32 or float64");
  return drawn("randn", shape, options, false, [](double* v, std::int64_t n) { fill_normal(v, n, 0.0, 1.0); });
}

}  // namespace ag

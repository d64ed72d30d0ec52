#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/storage.hpp>
#include <autograd/detail/trace_state.hpp>
#include <autograd/dtype.hpp>
#include <autograd/error.hpp>
#include <autograd/shape.hpp>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace ag {

class Node;
namespace detail {
struct TensorImpl;
}

/// An n-dimensional, row-major array that can take part in a computation graph. Copies share the same
/// tensor (as in PyTorch); reference counts are not atomic, so a tensor and its graph belong to one thread
/// at a time. A default-constructed tensor is undefined: every method but defined(), impl() and is_same() then
/// throws ag::Error.
class Tensor {
 public:
  /// An undefined tensor, holding nothing until one is assigned to it.
  Tensor() = default;
  /// Takes over one reference to `impl`; for the library's internals.
  explicit Tensor(detail::TensorImpl* impl) noexcept : impl_(impl) {}
  /// Another handle to the same tensor: no values are copied (clone() copies them).
  Tensor(const Tensor& other) noexcept;
  /// Takes over `other`'s tensor, leaving `other` undefined.
  Tensor(Tensor&& other) noexcept : impl_(other.impl_) { other.impl_ = nullptr; }
  /// Makes this a handle to `other`'s tensor, dropping the one it held.
  Tensor& operator=(const Tensor& other) noexcept;
  /// Takes over `other`'s tensor, leaving `other` undefined.
  Tensor& operator=(Tensor&& other) noexcept;
  /// Drops this handle; the last one frees the tensor, and the graph behind it (iteratively, however deep).
  ~Tensor();

  /// Whether this handle holds a tensor.
  bool defined() const { return impl_ != nullptr; }
  /// The shared state, or null when undefined; for the library's internals.
  detail::TensorImpl* impl() const { return impl_; }
  /// Whether both handles hold the same tensor (not whether their values are equal).
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  /// @name Metadata
  ///@{

  /// The size of each dimension.
  const Shape& shape() const;
  /// The number of dimensions: 0 for a scalar.
  int dim() const;
  /// The size of dimension `dim`; negative counts from the end. Throws ag::Error if `dim` is out of range.
  std::int64_t size(std::int64_t dim) const;
  /// The number of elements.
  std::int64_t numel() const;
  /// The element type.
  DType dtype() const;
  ///@}

  /// @name Reading values
  /// item() and to_vector() convert to double; item<T>() and to_vector<T>() to T (any of float, double,
  /// std::int64_t, bool, int), so int64 indices above 2^53 keep every digit with T = std::int64_t.
  ///@{

  /// The value of a one-element tensor, as a double. Throws ag::Error if the tensor has another number of elements.
  double item() const;
  /// The value of a one-element tensor, converted to T. Throws ag::Error if the tensor has another number of
  /// elements.
  template <class T>
  T item() const;
  /// The element at `index`, one entry per dimension (negative counts from the end), as a double: x.at({1, 2}).
  /// Throws ag::Error if the number of indices is not dim() or one is out of range.
  double at(std::initializer_list<std::int64_t> index) const;
  /// The elements, row-major, where T is the dtype's C++ type (float for float32: see dtype_of). Throws ag::Error
  /// if T does not match the dtype, or if the values were freed (see SavedValues).
  template <class T>
  const T* data() const;
  /// The elements to write in place, as data<T>(). The graph does not see these writes: use it on tensors outside
  /// any graph, or the in-place methods below, which the graph checks.
  template <class T>
  T* mutable_data();
  /// A copy of the elements, row-major, converted to T.
  template <class T = double>
  std::vector<T> to_vector() const;
  ///@}

  /// @name Autograd
  /// Only float32 and float64 tensors can require grad.
  ///@{

  /// Whether the tensor takes part in gradients: a leaf that asked for them, or the result of an op on one.
  bool requires_grad() const;
  /// Makes this leaf require grad (or stop), so that backward() fills its grad(). Throws ag::Error if the tensor
  /// is not a leaf (detach() gives one), or is asked to require grad with an integer or bool dtype.
  Tensor& requires_grad_(bool requires_grad = true);
  /// Whether no recorded op produced this tensor: one made by a creation function, by detach(), or by an op that
  /// recorded nothing (grad mode off, or no input requiring grad). A result stays a non-leaf once backward freed its
  /// graph.
  bool is_leaf() const;
  /// The gradient accumulated by backward passes: undefined until a backward pass reaches this leaf.
  const Tensor& grad() const;
  /// Drops the accumulated gradient, as PyTorch's set_to_none: grad() is undefined again.
  void zero_grad();
  /// As ag::backward (engine.hpp): ag::backward(*this, gradient, retain_graph, create_graph).
  void backward(const Tensor& gradient, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  /// As ag::backward(*this), for a tensor of one element. Throws ag::Error as ag::backward does.
  void backward() const;
  /// A tensor sharing this one's values but none of its graph: a leaf that does not require grad.
  Tensor detach() const;
  /// The op that produced this tensor, or "" for a leaf.
  const char* op_name() const;
  /// The recorded op, or null for a leaf (and once backward freed the graph).
  const Node* grad_fn() const;
  /// Sets a name for error messages, graph dumps and ag::explain ("prediction", "weights").
  Tensor& set_label(std::string label);
  /// The name set by set_label, or "".
  const std::string& label() const;
  ///@}

  /// @name Copies and conversions
  /// Method forms of ag::clone and ag::to_dtype (ops/conversion.hpp), which give their gradients.
  ///@{

  /// A copy with its own values: ag::clone(*this).
  Tensor clone() const;
  /// The values in `dtype`, or this tensor itself if it has that dtype already: ag::to_dtype(*this, dtype).
  Tensor to(DType dtype) const;
  ///@}

  /// @name In-place updates
  /// For optimisers, initialisers and tensors outside the graph; refused on a tensor that requires grad while grad
  /// mode is on (run them under ag::NoGradGuard). Each returns this tensor, and makes a recorded op that saved the
  /// old values refuse to use them in its backward.
  ///@{

  /// Sets every element to `value`. Throws ag::Error if the tensor requires grad while grad mode is on.
  Tensor& fill_(double value);
  /// Sets every element to 0, as fill_(0).
  Tensor& zero_() { return fill_(0.0); }
  /// Copies `source`'s values in, broadcast to this shape and converted to this dtype. Throws ag::Error if the
  /// tensor requires grad while grad mode is on, `source` does not broadcast to this shape, or the dtypes do
  /// not promote to this tensor's (float values into an int64 tensor).
  Tensor& copy_(const Tensor& source);
  /// Adds alpha * `other`, broadcast to this shape. Throws ag::Error as copy_ does, and for a bool tensor.
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  /// Subtracts `other`, broadcast to this shape. Throws ag::Error as copy_ does, and for a bool tensor.
  Tensor& sub_(const Tensor& other);
  /// Multiplies by `other`, broadcast to this shape. Throws ag::Error as copy_ does, and for a bool tensor.
  Tensor& mul_(const Tensor& other);
  /// Divides by `other`, broadcast to this shape. Throws ag::Error as copy_ does, and for an integer or bool
  /// tensor.
  Tensor& div_(const Tensor& other);
  /// Multiplies by the number `factor`. Throws ag::Error if the tensor requires grad while grad mode is on, or is
  /// bool.
  Tensor& mul_(double factor);
  ///@}

  /// @name Ops as methods
  /// Method forms of the ops: x.op(args) is ag::op(x, args), whose documentation gives the gradient and the
  /// errors. Each is defined next to its free function, in the file its header comment names.
  ///@{

  // ops/arithmetic.cpp
  /// Elementwise power with a fixed exponent: ag::pow(*this, exponent).
  Tensor pow(double exponent) const;
  /// Elementwise power, broadcast, with a differentiable exponent: ag::pow(*this, exponent).
  Tensor pow(const Tensor& exponent) const;
  // ops/math.cpp
  /// eˣ elementwise: ag::exp(*this).
  Tensor exp() const;
  /// The natural logarithm: ag::log(*this).
  Tensor log() const;
  /// The square root: ag::sqrt(*this).
  Tensor sqrt() const;
  /// The absolute value: ag::abs(*this).
  Tensor abs() const;
  /// log(1 + x), accurate for small x: ag::log1p(*this).
  Tensor log1p() const;
  /// exp(x) - 1, accurate for small x: ag::expm1(*this).
  Tensor expm1() const;
  /// The error function: ag::erf(*this).
  Tensor erf() const;
  // ops/activation.cpp
  /// 1 / (1 + exp(-x)): ag::sigmoid(*this).
  Tensor sigmoid() const;
  /// The hyperbolic tangent: ag::tanh(*this).
  Tensor tanh() const;
  /// max(x, 0): ag::relu(*this).
  Tensor relu() const;
  // ops/clamp.cpp
  /// The values limited to [min, max], either bound optional: ag::clamp(*this, min, max).
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  /// The values limited to at least `min`: ag::clamp_min(*this, min).
  Tensor clamp_min(double min) const;
  /// The values limited to at most `max`: ag::clamp_max(*this, max).
  Tensor clamp_max(double max) const;
  // ops/comparison.cpp
  /// `value` where the bool `mask` holds, else this tensor's values: ag::masked_fill(*this, mask, value).
  Tensor masked_fill(const Tensor& mask, double value) const;
  // ops/reduction.cpp
  /// The sum of all elements, as a 0-d tensor: ag::sum(*this).
  Tensor sum() const;
  /// The sum along one dim without braces, x.sum(1): a template so that x.sum({}) still means all dims.
  template <std::integral Dim>
  Tensor sum(Dim dim, bool keepdim = false) const {
    return sum(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  /// Sums along `dims` (an empty list means all of them): ag::sum(*this, dims, keepdim).
  Tensor sum(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  /// The mean of all elements, as a 0-d tensor: ag::mean(*this).
  Tensor mean() const;
  /// The mean along one dim without braces, x.mean(1); a template for the same reason as sum's.
  template <std::integral Dim>
  Tensor mean(Dim dim, bool keepdim = false) const {
    return mean(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  /// Means along `dims` (an empty list means all of them): ag::mean(*this, dims, keepdim).
  Tensor mean(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  /// Running sums along `dim`: ag::cumsum(*this, dim).
  Tensor cumsum(std::int64_t dim) const;
  // ops/statistics.cpp
  /// The variance over `dims` (all if empty): ag::var(*this, dims, correction, keepdim).
  Tensor var(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  /// The standard deviation over `dims` (all if empty): ag::std(*this, dims, correction, keepdim).
  Tensor std(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  /// The p-norm over `dims` (all if empty): ag::norm(*this, p, dims, keepdim).
  Tensor norm(double p = 2.0, const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  /// log Σ exp(x) over `dims`, without overflow: ag::logsumexp(*this, dims, keepdim).
  Tensor logsumexp(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  // ops/max_min.cpp
  /// The largest element, as a 0-d tensor: ag::max(*this).
  Tensor max() const;
  /// The smallest element, as a 0-d tensor: ag::min(*this).
  Tensor min() const;
  /// The largest elements along `dims`: ag::amax(*this, dims, keepdim).
  Tensor amax(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  /// The smallest elements along `dims`: ag::amin(*this, dims, keepdim).
  Tensor amin(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  /// The int64 index of the first maximum of the flattened tensor: ag::argmax(*this).
  Tensor argmax() const;
  /// The int64 indices of the first maximum along `dim`: ag::argmax(*this, dim, keepdim).
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  /// The int64 index of the first minimum of the flattened tensor: ag::argmin(*this).
  Tensor argmin() const;
  /// The int64 indices of the first minimum along `dim`: ag::argmin(*this, dim, keepdim).
  Tensor argmin(std::int64_t dim, bool keepdim = false) const;
  // ops/linalg.cpp
  /// The inner product of two 1-D tensors: ag::dot(*this, other).
  Tensor dot(const Tensor& other) const;
  /// The matrix product with NumPy's rules: ag::matmul(*this, other).
  Tensor matmul(const Tensor& other) const;
  // ops/shape_ops.cpp
  /// The same elements in a new shape, one -1 inferred: ag::reshape(*this, shape).
  Tensor reshape(const std::vector<std::int64_t>& shape) const;
  /// reshape under PyTorch's other name: ag::view(*this, shape).
  Tensor view(const std::vector<std::int64_t>& shape) const;
  /// All elements as a 1-D tensor: ag::flatten(*this).
  Tensor flatten() const;
  /// Dimensions dim0 and dim1 swapped: ag::transpose(*this, dim0, dim1).
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  /// The matrix transpose of a 2-D tensor, transpose(0, 1); a 0-d or 1-D tensor is returned as it is. Throws
  /// ag::Error for more than 2 dimensions.
  Tensor t() const;
  /// The dimensions reordered, dimension i of the result being dims[i]: ag::permute(*this, dims).
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  /// Every size-1 dimension dropped: ag::squeeze(*this).
  Tensor squeeze() const;
  /// Dimension `dim` dropped if its size is 1: ag::squeeze(*this, dim).
  Tensor squeeze(std::int64_t dim) const;
  /// A size-1 dimension inserted at `dim`: ag::unsqueeze(*this, dim).
  Tensor unsqueeze(std::int64_t dim) const;
  /// Broadcast to `shape`: ag::expand(*this, shape).
  Tensor expand(const std::vector<std::int64_t>& shape) const;
  // ops/indexing.cpp
  /// Row `index` along the first dimension, which is dropped; shares the values: ag::index(*this, index).
  Tensor operator[](std::int64_t index) const;
  /// Elements start, start + step, ... before `end` along `dim`: ag::slice(*this, dim, start, end, step).
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1) const;
  /// The `length` elements from `start` along `dim`: ag::narrow(*this, dim, start, length).
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  /// Elements picked along `dim` by an int64 `index`, as torch.gather: ag::gather(*this, dim, index).
  Tensor gather(std::int64_t dim, const Tensor& index) const;
  /// A copy with `source` added at the positions `index` names along `dim`: ag::scatter_add(*this, dim, index,
  /// source).
  Tensor scatter_add(std::int64_t dim, const Tensor& index, const Tensor& source) const;
  /// The entries at the 1-D int64 `index` along `dim`: ag::index_select(*this, dim, index).
  Tensor index_select(std::int64_t dim, const Tensor& index) const;
  /// A copy with alpha * `source` added at the 1-D `index` along `dim`: ag::index_add(*this, dim, index, source,
  /// alpha).
  Tensor index_add(std::int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0) const;
  // ops/softmax.cpp
  /// exp(x) / Σ exp(x) along `dim`: ag::softmax(*this, dim).
  Tensor softmax(std::int64_t dim) const;
  /// x - log Σ exp(x) along `dim`: ag::log_softmax(*this, dim).
  Tensor log_softmax(std::int64_t dim) const;
  ///@}

 private:
  const detail::TensorImpl& checked() const;  // throws a clear error on an undefined tensor
  detail::TensorImpl* impl_ = nullptr;
};

namespace detail {

struct TensorImpl {
  std::uint32_t refcount = 1;
  // References from graph nodes that read only this tensor's shape, not counted in refcount: the tensor lives while
  // either count is above 0, its values only while refcount is (flashlight's withoutData); then storage is null.
  std::uint32_t shape_refs = 0;
  DType dtype = DType::Float32;
  bool requires_grad = false;
  Shape shape;
  Storage* storage = nullptr;  // owns one reference; null once only shape-reading graph nodes hold the tensor
  std::int64_t offset = 0;     // in elements, for views into a shared storage
  Tensor grad;
  Node* grad_fn = nullptr;             // owned; null for leaves
  const char* released_op = nullptr;   // set when backward() freed this tensor's graph
  TensorImpl* next_to_free = nullptr;  // links tensors waiting to be freed during a teardown
  std::string label;

  // A fresh contiguous tensor with uninitialised values.
  static TensorImpl* create(const Shape& shape, DType dtype);
  // A tensor sharing `storage` (whose reference it takes over).
  static TensorImpl* create_view(const Shape& shape, DType dtype, Storage* storage, std::int64_t offset);
};

// Refuses requires_grad on an integer or bool tensor, naming the op.
[[noreturn]] void fail_grad_dtype(const char* op, DType dtype);

// What a handle does when it dropped the last reference: frees the tensor (deep graphs are torn down iteratively),
// or only its values while graph nodes still hold its shape.
void destroy(TensorImpl* impl) noexcept;
// Frees the values of a tensor that only shape-reading graph nodes still hold, unless its own op's backward reads
// them (its output).
void release_values(TensorImpl* impl) noexcept;
[[noreturn]] void fail_values_freed(const TensorImpl& impl);
// data<T>() of a tensor of another dtype, or whose values were freed.
[[noreturn]] void fail_data(const TensorImpl& impl, DType asked);

}  // namespace detail

inline Tensor::Tensor(const Tensor& other) noexcept : impl_(other.impl_) {
  if (impl_) ++impl_->refcount;
}
inline Tensor& Tensor::operator=(const Tensor& other) noexcept {
  if (other.impl_) ++other.impl_->refcount;
  Tensor old(impl_);
  impl_ = other.impl_;
  return *this;
}
inline Tensor& Tensor::operator=(Tensor&& other) noexcept {
  if (this != &other) {
    Tensor old(impl_);
    impl_ = other.impl_;
    other.impl_ = nullptr;
  }
  return *this;
}
inline Tensor::~Tensor() {
  if (impl_ && --impl_->refcount == 0) detail::destroy(impl_);
}

/// Throws the ag::Error for using an undefined tensor; out of line, so that the inline accessors stay small.
[[noreturn]] void fail_undefined_tensor();

inline const detail::TensorImpl& Tensor::checked() const {
  if (!impl_) fail_undefined_tensor();
  return *impl_;
}
inline const Shape& Tensor::shape() const { return checked().shape; }
inline int Tensor::dim() const { return checked().shape.size(); }
inline std::int64_t Tensor::numel() const { return checked().shape.numel(); }
inline DType Tensor::dtype() const { return checked().dtype; }
inline bool Tensor::requires_grad() const { return checked().requires_grad; }
inline bool Tensor::is_leaf() const { return checked().grad_fn == nullptr && impl_->released_op == nullptr; }
inline const Tensor& Tensor::grad() const { return checked().grad; }
inline const Node* Tensor::grad_fn() const { return checked().grad_fn; }
inline const std::string& Tensor::label() const { return checked().label; }

template <class T>
[[gnu::always_inline]] inline const T* Tensor::data() const {
  // Small enough to inline into every kernel (which a replay runs one after another): the errors are built out of
  // line.
  const detail::TensorImpl& impl = checked();
  if (dtype_of<T>() != impl.dtype || !impl.storage) [[unlikely]]
    detail::fail_data(impl, dtype_of<T>());
  return reinterpret_cast<const T*>(impl.storage->data()) + impl.offset;
}
template <class T>
[[gnu::always_inline]] inline T* Tensor::mutable_data() {
  if (detail::outside_recorded_kernel()) [[unlikely]]
    detail::fail_untraced_write("mutable_data");
  return const_cast<T*>(data<T>());
}

/// Throws the ag::Error for item() on a tensor that does not have exactly one element.
[[noreturn]] void fail_item_count(const Tensor& tensor);

template <class T>
T Tensor::item() const {
  if (numel() != 1) fail_item_count(*this);
  if (detail::outside_recorded_kernel()) [[unlikely]]
    detail::fail_untraced_read("item");
  return dispatch(dtype(), [&]<class S>(S) { return static_cast<T>(*data<S>()); });
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  if (detail::outside_recorded_kernel()) [[unlikely]]
    detail::fail_untraced_read("to_vector");
  return dispatch(dtype(), [&]<class S>(S) {
    const S* values = data<S>();
    std::vector<T> result(static_cast<std::size_t>(numel()));
    for (std::size_t i = 0; i < result.size(); ++i) result[i] = static_cast<T>(values[i]);
    return result;
  });
}

}  // namespace ag

#pragma GCC visibility pop

#pragma once

#include <autograd/detail/storage.hpp>
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

// An n-dimensional, row-major array that can take part in a computation graph. Copies share the same
// tensor (as in PyTorch); reference counts are not atomic, so a tensor and its graph belong to one thread
// at a time.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(detail::TensorImpl* impl) noexcept : impl_(impl) {}  // takes over one reference
  Tensor(const Tensor& other) noexcept;
  Tensor(Tensor&& other) noexcept : impl_(other.impl_) { other.impl_ = nullptr; }
  Tensor& operator=(const Tensor& other) noexcept;
  Tensor& operator=(Tensor&& other) noexcept;
  ~Tensor();

  bool defined() const { return impl_ != nullptr; }
  detail::TensorImpl* impl() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // Metadata.
  const Shape& shape() const;
  int dim() const;
  std::int64_t size(std::int64_t dim) const;
  std::int64_t numel() const;
  DType dtype() const;

  // Reading values. item() and to_vector() convert to double; item<T>() and to_vector<T>() to T (any of
  // float, double, std::int64_t, bool, int), so int64 indices above 2^53 keep every digit with T = std::int64_t.
  double item() const;  // the value of a one-element tensor
  template <class T>
  T item() const;
  double at(std::initializer_list<std::int64_t> index) const;
  template <class T>
  const T* data() const;
  template <class T>
  T* mutable_data();
  template <class T = double>
  std::vector<T> to_vector() const;

  // Autograd. Only float32 and float64 tensors can require grad.
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  bool is_leaf() const;
  const Tensor& grad() const;  // undefined until a backward pass reaches this leaf
  void zero_grad();            // drops the accumulated gradient, as PyTorch's set_to_none
  // As ag::backward (engine.hpp).
  void backward(const Tensor& gradient, std::optional<bool> retain_graph = std::nullopt,
                bool create_graph = false) const;
  void backward() const;
  Tensor detach() const;
  const char* op_name() const;  // the op that produced this tensor, or "" for a leaf
  const Node* grad_fn() const;  // the recorded op, or null for a leaf (and once backward freed the graph)
  // A name for error messages, graph dumps and ag::explain ("prediction", "weights").
  Tensor& set_label(std::string label);
  const std::string& label() const;

  // Copies and conversions (ops/conversion.cpp).
  Tensor clone() const;
  Tensor to(DType dtype) const;

  // In-place updates (inplace.cpp), for optimisers, initialisers and tensors outside the graph; refused on a
  // tensor that requires grad while grad mode is on.
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  Tensor& copy_(const Tensor& source);
  Tensor& add_(const Tensor& other, double alpha = 1.0);
  Tensor& sub_(const Tensor& other);
  Tensor& mul_(const Tensor& other);
  Tensor& div_(const Tensor& other);
  Tensor& mul_(double factor);

  // Method forms of the ops; each is defined next to its free function, in the file its header comment names.
  // ops/arithmetic.cpp
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  // ops/math.cpp
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor log1p() const;
  Tensor expm1() const;
  Tensor erf() const;
  // ops/activation.cpp
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor relu() const;
  // ops/clamp.cpp
  Tensor clamp(std::optional<double> min, std::optional<double> max) const;
  Tensor clamp_min(double min) const;
  Tensor clamp_max(double max) const;
  // ops/comparison.cpp
  Tensor masked_fill(const Tensor& mask, double value) const;
  // ops/reduction.cpp
  Tensor sum() const;
  template <std::integral Dim>  // x.sum(1); a template so that x.sum({}) still means all dims
  Tensor sum(Dim dim, bool keepdim = false) const {
    return sum(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  Tensor sum(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  template <std::integral Dim>
  Tensor mean(Dim dim, bool keepdim = false) const {
    return mean(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
  }
  Tensor mean(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor cumsum(std::int64_t dim) const;
  // ops/statistics.cpp
  Tensor var(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor std(const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor norm(double p = 2.0, const std::vector<std::int64_t>& dims = {}, bool keepdim = false) const;
  Tensor logsumexp(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  // ops/max_min.cpp
  Tensor max() const;
  Tensor min() const;
  Tensor amax(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor amin(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  Tensor argmax() const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(std::int64_t dim, bool keepdim = false) const;
  // ops/linalg.cpp
  Tensor dot(const Tensor& other) const;
  Tensor matmul(const Tensor& other) const;
  // ops/shape_ops.cpp
  Tensor reshape(const std::vector<std::int64_t>& shape) const;
  Tensor view(const std::vector<std::int64_t>& shape) const;
  Tensor flatten() const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  Tensor squeeze() const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor expand(const std::vector<std::int64_t>& shape) const;
  // ops/indexing.cpp
  Tensor operator[](std::int64_t index) const;
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1) const;
  Tensor narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const;
  Tensor gather(std::int64_t dim, const Tensor& index) const;
  Tensor scatter_add(std::int64_t dim, const Tensor& index, const Tensor& source) const;
  Tensor index_select(std::int64_t dim, const Tensor& index) const;
  Tensor index_add(std::int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0) const;
  // ops/softmax.cpp
  Tensor softmax(std::int64_t dim) const;
  Tensor log_softmax(std::int64_t dim) const;

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
const T* Tensor::data() const {
  // Small enough to inline into every kernel: the errors are built out of line.
  const detail::TensorImpl& impl = checked();
  if (dtype_of<T>() != impl.dtype || !impl.storage) [[unlikely]]
    detail::fail_data(impl, dtype_of<T>());
  return reinterpret_cast<const T*>(impl.storage->data()) + impl.offset;
}
template <class T>
T* Tensor::mutable_data() {
  return const_cast<T*>(data<T>());
}

[[noreturn]] void fail_item_count(const Tensor& tensor);

template <class T>
T Tensor::item() const {
  if (numel() != 1) fail_item_count(*this);
  return dispatch(dtype(), [&]<class S>(S) { return static_cast<T>(*data<S>()); });
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  return dispatch(dtype(), [&]<class S>(S) {
    const S* values = data<S>();
    std::vector<T> result(static_cast<std::size_t>(numel()));
    for (std::size_t i = 0; i < result.size(); ++i) result[i] = static_cast<T>(values[i]);
    return result;
  });
}

}  // namespace ag

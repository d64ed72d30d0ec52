#include <autograd/engine.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/tensor.hpp>

#include <new>

namespace ag {

void fail_undefined_tensor() {
  fail(
      "Tensor: this tensor is undefined (default-constructed, or the grad() of a tensor that no backward pass "
      "has reached yet)");
}

namespace detail {

void fail_grad_dtype(const char* op, DType dtype) {
  fail("{}: only floating-point tensors can require gradients, got dtype {} (convert with .to(ag::kFloat32))", op,
       dtype_name(dtype));
}

TensorImpl* TensorImpl::create(const Shape& shape, DType dtype) {
  Storage* storage = Storage::allocate(static_cast<std::size_t>(shape.numel()) * dtype_size(dtype));
  return create_view(shape, dtype, storage, 0);
}

TensorImpl* TensorImpl::create_view(const Shape& shape, DType dtype, Storage* storage, std::int64_t offset) {
  auto* impl = new (pool_allocate(sizeof(TensorImpl))) TensorImpl;
  impl->dtype = dtype;
  impl->shape = shape;
  impl->storage = storage;
  impl->offset = offset;
  return impl;
}

void fail_values_freed(const TensorImpl& impl) {
  fail(
      "Tensor: the values of this tensor (shape {}) were freed: only graph ops that read its shape held it (see "
      "SavedValues)",
      impl.shape);
}

void fail_data(const TensorImpl& impl, DType asked) {
  if (!impl.storage) fail_values_freed(impl);
  fail("data: the tensor holds {} but {} was asked for", dtype_name(impl.dtype), dtype_name(asked));
}

void release_values(TensorImpl* impl) noexcept {
  if (!impl->storage || (impl->grad_fn && impl->grad_fn->saves_output())) return;
  impl->storage->release();
  impl->storage = nullptr;
}

Tensor alias(const Tensor& tensor) {
  TensorImpl* source = tensor.impl();
  if (!source->storage) fail_values_freed(*source);
  source->storage->retain();
  return Tensor(TensorImpl::create_view(source->shape, source->dtype, source->storage, source->offset));
}

namespace {

void free_one(TensorImpl* impl) noexcept {
  if (impl->grad_fn) Node::destroy(impl->grad_fn);
  if (impl->storage) impl->storage->release();
  impl->~TensorImpl();
  pool_free(impl, sizeof(TensorImpl));
}

// Freeing a tensor frees its graph node, whose inputs may be freed in turn: a long chain would recurse
// once per op and overflow the stack. Nested frees are queued here and run by the outermost one instead.
thread_local bool tearing_down = false;
thread_local TensorImpl* waiting_to_free = nullptr;

}  // namespace

void destroy(TensorImpl* impl) noexcept {
  if (impl->shape_refs) return release_values(impl);
  if (tearing_down) {
    impl->next_to_free = waiting_to_free;
    waiting_to_free = impl;
    return;
  }
  tearing_down = true;
  free_one(impl);
  while (waiting_to_free) {
    TensorImpl* next = waiting_to_free;
    waiting_to_free = next->next_to_free;
    free_one(next);
  }
  tearing_down = false;
}

}  // namespace detail

std::int64_t Tensor::size(std::int64_t dim) const { return shape()[normalize_dim(dim, this->dim(), "size")]; }

void fail_item_count(const Tensor& tensor) {
  fail("item: the tensor has shape {} ({} elements), but item() needs exactly one element", tensor.shape(),
       tensor.numel());
}

double Tensor::item() const { return item<double>(); }

double Tensor::at(std::initializer_list<std::int64_t> index) const {
  if (static_cast<int>(index.size()) != dim())
    fail("at: {} indices given for a tensor of shape {} ({} dimensions)", index.size(), shape(), dim());
  const auto strides = contiguous_strides(shape());
  std::int64_t offset = 0;
  int d = 0;
  for (std::int64_t i : index) {
    if (i < -shape()[d] || i >= shape()[d])
      fail("at: index {} is out of range for dimension {} of size {} (shape {})", i, d, shape()[d], shape());
    offset += (i < 0 ? i + shape()[d] : i) * strides[d];
    ++d;
  }
  if (detail::outside_recorded_kernel()) [[unlikely]]
    detail::fail_untraced_read("at");
  return dispatch(dtype(), [&]<class T>(T) { return static_cast<double>(data<T>()[offset]); });
}

Tensor& Tensor::requires_grad_(bool requires_grad) {
  if (!is_leaf())
    fail(
        "requires_grad_: only leaf tensors can change requires_grad, and this one is the result of '{}' "
        "(use detach() to get a leaf)",
        op_name());
  if (requires_grad && !is_floating_point(impl_->dtype)) detail::fail_grad_dtype("requires_grad_", impl_->dtype);
  impl_->requires_grad = requires_grad;
  return *this;
}

void Tensor::zero_grad() {
  checked();
  if (detail::outside_recorded_kernel()) [[unlikely]]
    detail::note_zero_grad(impl_);
  impl_->grad = Tensor();
}

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  ag::backward(*this, gradient, retain_graph, create_graph);
}
void Tensor::backward() const { ag::backward(*this); }

Tensor Tensor::detach() const {
  checked();
  return detail::alias(*this);
}

Tensor& Tensor::set_label(std::string label) {
  checked();
  impl_->label = std::move(label);
  return *this;
}

const char* Tensor::op_name() const {
  const detail::TensorImpl& impl = checked();
  if (impl.grad_fn) return impl.grad_fn->name();
  return impl.released_op ? impl.released_op : "";
}

}  // namespace ag

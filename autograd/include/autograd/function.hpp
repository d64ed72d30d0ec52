#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Recording differentiable ops: every built-in op and every user-defined one goes through make_op.

#include <autograd/anomaly.hpp>
#include <autograd/detail/pool.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/tensor.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <new>
#include <span>
#include <utility>

namespace ag {

namespace detail {
struct __attribute__((visibility("hidden"))) GraphTask;  // the engine's own: not exported
}

/// Which values an op's backward reads besides the incoming gradient: by default every input's and the output's. An
/// op that needs less says so, and the graph then keeps the rest only for their shapes, freeing their values as soon
/// as nothing else holds them (flashlight's withoutData): `a + b` keeps neither a's values nor b's, and relu, which
/// reads only its output, does not keep its input's. Reading a value not asked for throws ag::Error in the backward.
struct SavedValues {
  std::uint32_t inputs = ~std::uint32_t{0};  ///< Bit i: input i's values (inputs from the 33rd on are always kept).
  bool output = true;                        ///< The output's values.
};
/// The backward reads only the incoming gradient and the shapes (add, sum, reshape).
inline constexpr SavedValues kSavesShapesOnly{.inputs = 0, .output = false};
/// The backward reads the output's values but no input's (exp, relu, sigmoid).
inline constexpr SavedValues kSavesOutputOnly{.inputs = 0, .output = true};
/// The backward reads every input's values but not the output's (mul, matmul).
inline constexpr SavedValues kSavesInputsOnly{.output = false};

/// What a backward function sees: the op's inputs and output, and where to send each input's gradient.
class BackwardContext {
 public:
  /// Made by the engine for each node it runs; a backward function only receives one.
  BackwardContext(detail::GraphTask& task, Node& node, detail::TensorImpl* output)
      : task_(task), node_(node), output_(output) {}

  /// Input `index` of the op as the forward saw it. Throws ag::Error if its values were modified in place since, if
  /// the op's SavedValues did not ask for them, or if the op has no such input.
  const Tensor& input(std::size_t index) const;
  /// The op's output as the forward saw it. Throws ag::Error if its values were modified in place since, or if the
  /// op's SavedValues did not ask for them.
  Tensor output() const;
  /// Only the shape of input `index`, which no in-place op changes: an input that the backward does not read may be
  /// modified. Throws ag::Error if the op has no such input.
  const Shape& input_shape(std::size_t index) const { return saved_input(index).shape(); }
  /// How many inputs the op has.
  std::size_t inputs_count() const;
  /// Whether input `index` requires grad: a backward may skip computing the gradients nobody needs.
  bool needs_grad(std::size_t index) const { return saved_input(index).requires_grad(); }
  /// Whether this backward runs under create_graph: its ops are then recorded, so the gradient it sends can be
  /// differentiated again. A formula computed by a kernel of its own (fused, for speed) must then be written
  /// from differentiable ops instead; gradgradcheck checks that the two agree.
  bool create_graph() const { return is_grad_enabled(); }
  /// Adds `grad` to input `index`'s gradient; it must have exactly that input's shape and dtype. Nothing happens for
  /// an input that does not require grad. Throws ag::Error if `grad` is undefined or differs from the input in shape
  /// or dtype (under anomaly mode, also if it holds a NaN or Inf).
  void add_grad(std::size_t index, Tensor grad);
  /// The gradient summed so far for input `index`, when the backward may add its share into it in place instead of
  /// calling add_grad (a weight gradient computed by a GEMM with beta = 1 saves a pass and an allocation); an
  /// undefined tensor otherwise. Defined only outside create_graph and anomaly mode, for an input that requires grad
  /// and whose gradient so far (a leaf's grad(), or the running sum of an op's output) is defined and held by nobody
  /// else, in a plain backward() pass without gradient hooks. After writing into it, do not also call add_grad for
  /// that input.
  Tensor accumulation_target(std::size_t index);

 private:
  const Tensor& saved_input(std::size_t index) const;  // without the version check
  detail::GraphTask& task_;
  Node& node_;
  detail::TensorImpl* output_;
};

/// One recorded op: its name, its inputs, and how a gradient flows back to them. Tensor::grad_fn() returns it; make_op
/// creates it.
class Node {
 public:
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  /// The op's name, as given to make_op ("mul", "matmul").
  const char* name() const { return name_; }
  /// The op's inputs; those kept only for their shape (SavedValues) may have had their values freed.
  std::span<const Tensor> inputs() const { return {inputs_, num_inputs_}; }
  /// The order in which ops were recorded on this thread: where in the forward pass this one was created.
  std::uint64_t sequence_nr() const { return sequence_nr_; }
  /// Sends the gradients of the op's inputs, given `grad_output`, the gradient of its output, through ctx.add_grad.
  virtual void backward(BackwardContext& ctx, const Tensor& grad_output) = 0;

  /// Whether the backward reads input `index`'s values (see SavedValues).
  bool saves_input(std::size_t index) const { return index >= 32 || (saved_.inputs >> index & 1u); }
  /// Whether the backward reads the output's values (see SavedValues).
  bool saves_output() const { return saved_.output; }

  /// Nodes live in pooled blocks together with their inputs; this ends both.
  static void destroy(Node* node) noexcept;

 protected:
  /// For make_op's node type, which places the node, its inputs and their saved versions in one pooled block.
  Node(const char* name, Tensor* inputs, std::uint32_t num_inputs, std::uint32_t block_bytes, SavedValues saved)
      : name_(name), inputs_(inputs), num_inputs_(num_inputs), block_bytes_(block_bytes), saved_(saved) {}
  virtual ~Node() = default;

 private:
  friend struct detail::GraphTask;
  friend class BackwardContext;
  // The versions of the inputs' storages, then the output's, when the op was recorded; they follow the inputs in
  // the node's block.
  const std::uint32_t* saved_versions() const { return reinterpret_cast<const std::uint32_t*>(inputs_ + num_inputs_); }

  const char* name_;
  Tensor* inputs_;
  std::uint32_t num_inputs_;
  std::uint32_t block_bytes_;
  SavedValues saved_;
  std::uint64_t sequence_nr_ = ++last_sequence_nr;
  inline static thread_local std::uint64_t last_sequence_nr = 0;
  // The backward pass that holds this node, or 0: a pass claims each node as its sort reaches it and lets go once the
  // node's backward ran, so a second pass through the node meanwhile, from another thread or from inside a backward
  // function, is caught instead of racing on the pending gradient.
  std::atomic<std::uint64_t> running_pass_{0};
  Tensor pending_grad_;  // the gradient summed so far during a backward pass
};

namespace detail {

template <class Backward>
class LambdaNode final : public Node {
 public:
  LambdaNode(const char* name, Tensor* inputs, std::uint32_t num_inputs, std::uint32_t block_bytes, SavedValues saved,
             Backward&& fn)
      : Node(name, inputs, num_inputs, block_bytes, saved), fn_(std::move(fn)) {}
  void backward(BackwardContext& ctx, const Tensor& grad_output) override { fn_(ctx, grad_output); }

 private:
  Backward fn_;
};

// A tensor that shares `tensor`'s values but none of its graph.
Tensor alias(const Tensor& tensor);

// Anomaly mode: throws when `values`, computed by `node` (forward) or for its input `input_index` (backward),
// hold a NaN or an Inf.
void check_finite_forward(const Node& node, const Tensor& values);
void check_finite_backward(const Node& node, std::size_t input_index, const Tensor& values);

}  // namespace detail

namespace detail {

// make_op's work, over `inputs`: a range of tensors or of references to them. Nothing is copied until an op is
// recorded, so ops under NoGradGuard never touch the reference counts of their inputs (the weights a model shares
// between inference threads, for one).
template <class Inputs, class Backward>
Tensor record_op(const char* name, Tensor output, const Inputs& inputs, Backward backward, SavedValues saved) {
  if (!is_grad_enabled()) return output;
  bool any_requires_grad = false;
  for (const Tensor& input : inputs) any_requires_grad = any_requires_grad || input.requires_grad();
  if (!any_requires_grad) return output;
  // The recorded result must be a tensor of its own, not one somebody else already holds.
  if (output.impl()->refcount != 1 || output.requires_grad()) output = alias(output);

  using NodeType = LambdaNode<Backward>;
  static_assert(sizeof(NodeType) % alignof(Tensor) == 0);
  const std::size_t count = std::size(inputs);
  const std::size_t bytes = sizeof(NodeType) + count * sizeof(Tensor) + (count + 1) * sizeof(std::uint32_t);
  void* block = pool_allocate(bytes);
  auto* stored_inputs = reinterpret_cast<Tensor*>(static_cast<std::byte*>(block) + sizeof(NodeType));
  auto* versions = reinterpret_cast<std::uint32_t*>(stored_inputs + count);
  std::size_t i = 0;
  for (const Tensor& input : inputs) {
    TensorImpl* impl = input.impl();
    versions[i] = impl->storage->version;
    if (i < 32 && !(saved.inputs >> i & 1u)) {
      ++impl->shape_refs;  // a handle that keeps the tensor but not its values
      new (stored_inputs + i) Tensor(impl);
    } else {
      new (stored_inputs + i) Tensor(input);
    }
    ++i;
  }
  versions[count] = output.impl()->storage->version;
  Node* node = new (block) NodeType(name, stored_inputs, static_cast<std::uint32_t>(count),
                                    static_cast<std::uint32_t>(bytes), saved, std::move(backward));
  output.impl()->grad_fn = node;
  output.impl()->requires_grad = true;
  if (is_anomaly_enabled()) check_finite_forward(*node, output);
  return output;
}

}  // namespace detail

/// Records `output` as the result of op `name` applied to `inputs`, with `backward(ctx, grad_output)`
/// sending gradients to the inputs through ctx.add_grad. This is how every built-in op is written,
/// and the public way to add one:
/// @code
/// ag::Tensor cube(const ag::Tensor& x) {
///   ag::Tensor y;
///   { ag::NoGradGuard no_grad; y = x * x * x; }
///   return ag::make_op("cube", y, {x}, [](ag::BackwardContext& ctx, const ag::Tensor& grad) {
///     const ag::Tensor& x = ctx.input(0);
///     ctx.add_grad(0, grad * 3.0 * x * x);
///   });
/// }
/// @endcode
/// Nothing is recorded when grad mode is off or no input requires a gradient. An op whose backward reads fewer
/// values than all its inputs and its output passes SavedValues last, for example ag::kSavesShapesOnly. `name`
/// must outlive the graph (a string literal). Returns the recorded output: `output` itself, or a tensor sharing its
/// values when `output` is held elsewhere too or already requires grad. This overload takes the inputs as a span (a
/// vector of them).
template <class Backward>
Tensor make_op(const char* name, Tensor output, std::span<const Tensor> inputs, Backward backward,
               SavedValues saved = {}) {
  return detail::record_op(name, std::move(output), inputs, std::move(backward), saved);
}

/// As make_op above, with the inputs as a braced list of references to them: `{x, w}`.
template <class Backward>
Tensor make_op(const char* name, Tensor output, std::initializer_list<std::reference_wrapper<const Tensor>> inputs,
               Backward backward, SavedValues saved = {}) {
  return detail::record_op(name, std::move(output), inputs, std::move(backward), saved);
}

}  // namespace ag

#pragma GCC visibility pop

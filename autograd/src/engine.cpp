#include <autograd/creation.hpp>
#include <autograd/engine.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>

#include "hooks.hpp"
#include "kernels.hpp"

#include <atomic>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace ag {

void Node::destroy(Node* node) noexcept {
  const std::size_t bytes = node->block_bytes_;
  // Bit 0 of `saved`: whether the input at hand holds a plain reference (inputs from the 33rd on always do). The
  // handles' destructors are not run: the references are dropped here.
  for (std::uint32_t i = 0, saved = node->saved_.inputs; i < node->num_inputs_; ++i, saved = saved >> 1 | 0x80000000u) {
    detail::TensorImpl* impl = node->inputs_[i].impl();
    if (saved & 1u ? --impl->refcount == 0 : (--impl->shape_refs == 0 && impl->refcount == 0)) detail::destroy(impl);
  }
  node->~Node();
  detail::pool_free(node, bytes);
}

namespace detail {

// Whether nobody but its one handle holds `impl` and its values (a trace's kernels aside, see trace_state.hpp).
inline bool sole_owner(const TensorImpl* impl) {
  if (outside_recorded_kernel()) [[unlikely]]
    return sole_owner_while_recording(impl);
  return impl->refcount == 1 && impl->storage && impl->storage->refcount == 1;
}

// Sums gradients: in place when nobody else can see the running sum and no graph is being recorded through it.
void add_into(Tensor& sum, Tensor grad) {
  if (!sum.defined()) {
    sum = std::move(grad);
  } else if (is_grad_enabled() && (sum.requires_grad() || grad.requires_grad())) {
    sum = sum + grad;  // create_graph: the sum is part of the gradient's graph
  } else if (sole_owner(sum.impl())) {
    sum.add_(grad);
  } else {
    sum = sum + grad;
  }
}

// One backward pass: orders the graph, then runs each node's backward from the outputs towards the leaves.
// Hidden (function.hpp declares it so), though BackwardContext names it: the shared library does not export it.
struct GraphTask {
  bool retain_graph = false;
  bool create_graph = false;                                 // record the backward functions' ops
  bool accumulate_into_leaves = true;                        // false for ag::grad, which leaves grad() alone
  bool captures_only = false;                                // local_gradients: nothing flows past the captured inputs
  std::vector<std::pair<TensorImpl*, Tensor*>> captures;     // ag::grad's inputs and where their gradients go
  std::vector<Tensor> order;                                 // post-order: every node after all of its inputs
  std::vector<std::pair<TensorImpl*, std::uint32_t>> stack;  // the sort's path: a node and its next input
  HookSchedule hooks;                                        // register_post_accumulate_grad_hook's, if any

  GraphTask();
  ~GraphTask();
  GraphTask(const GraphTask&) = delete;
  GraphTask& operator=(const GraphTask&) = delete;

  void run(std::span<const Tensor> outputs, std::span<Tensor> output_grads);
  void run_node(TensorImpl* output, const Tensor& grad);  // only the op that produced `output`
  void accumulate(TensorImpl* target, Tensor grad);
  Tensor accumulation_target(TensorImpl* target);

 private:
  void sort(std::span<const Tensor> outputs);
  bool claim(Node& node);
  [[noreturn]] void fail_claimed(const Node& node, std::uint64_t holder) const;
  void release_claims() noexcept;
  void propagate();
  bool owns_spare_buffers_ = false;
  std::uint64_t mark_;                // this pass's claim on the nodes it reaches (Node::running_pass_)
  GraphTask* outer_;                  // the pass whose backward function started this one, if any
  const char* running_op_ = nullptr;  // the op whose backward function is running
};

// Unique across threads, so that a claim names its pass.
std::atomic<std::uint64_t> last_mark{0};

// The passes running on this thread, innermost first. A pass started inside a backward function must leave
// their nodes alone: they own the nodes' pending gradients, and free the nodes as they go.
thread_local GraphTask* innermost_task = nullptr;

// The sort's vectors keep their capacity from one backward pass to the next on a thread, so small graphs
// allocate nothing; a pass nested inside a backward function makes its own.
thread_local std::vector<Tensor> spare_order;
thread_local std::vector<std::pair<TensorImpl*, std::uint32_t>> spare_stack;
thread_local bool spare_buffers_in_use = false;

GraphTask::GraphTask() : mark_(last_mark.fetch_add(1, std::memory_order_relaxed) + 1), outer_(innermost_task) {
  innermost_task = this;
  if (!spare_buffers_in_use) {
    spare_buffers_in_use = owns_spare_buffers_ = true;
    order.swap(spare_order);
    stack.swap(spare_stack);
  }
}

GraphTask::~GraphTask() {
  order.clear();
  stack.clear();
  if (owns_spare_buffers_) {
    order.swap(spare_order);
    stack.swap(spare_stack);
    spare_buffers_in_use = false;
  }
  innermost_task = outer_;
}

[[noreturn]] void fail_released(const char* op) {
  fail(
      "backward: the graph through '{}' was already freed by an earlier backward(); pass retain_graph=true to "
      "the first backward() to go through it again",
      op);
}

// Takes `node` for this pass: false if this pass has it already; throws if another pass does. A load and a store,
// not a compare-and-swap, so that the check costs nothing measurable: two passes that reach one node within the
// same few nanoseconds may both take it, any later one is refused.
inline bool GraphTask::claim(Node& node) {
  const std::uint64_t holder = node.running_pass_.load(std::memory_order_acquire);
  if (holder == 0) [[likely]] {
    node.running_pass_.store(mark_, std::memory_order_relaxed);
    return true;
  }
  if (holder == mark_) return false;
  fail_claimed(node, holder);
}

void GraphTask::fail_claimed(const Node& node, std::uint64_t holder) const {
  for (const GraphTask* running = outer_; running; running = running->outer_)
    if (holder == running->mark_)
      fail(
          "backward: called inside the backward of '{}' on a graph that the running backward() goes through (at "
          "'{}'); a backward function may run backward() only on a separate graph",
          outer_->running_op_, node.name());
  fail(
      "backward: another thread is running a backward pass through this graph (at '{}'); one graph takes one "
      "backward pass at a time: wait for it, or build a graph per thread",
      node.name());
}

// After a failure: lets go of the nodes this pass claimed, leaving no half-summed gradient behind.
void GraphTask::release_claims() noexcept {
  const auto release = [](TensorImpl* impl) {
    if (Node* node = impl->grad_fn) {
      node->pending_grad_ = Tensor();
      node->running_pass_.store(0, std::memory_order_release);
    }
  };
  for (Tensor& tensor : order)
    if (tensor.defined()) release(tensor.impl());
  for (auto& [impl, next] : stack) release(impl);
}

void GraphTask::sort(std::span<const Tensor> outputs) {
  for (const Tensor& output : outputs) {
    Node* node = output.impl()->grad_fn;
    if (!node || !claim(*node)) continue;
    stack.emplace_back(output.impl(), 0);
    while (!stack.empty()) {
      auto& [impl, next] = stack.back();
      Node* current = impl->grad_fn;
      if (next < current->num_inputs_) {
        TensorImpl* input = current->inputs_[next++].impl();
        if (Node* input_node = input->grad_fn) {
          if (claim(*input_node)) stack.emplace_back(input, 0);
        } else if (input->released_op) {
          fail_released(input->released_op);
        }
      } else {
        ++impl->refcount;
        order.emplace_back(impl);
        stack.pop_back();
      }
    }
  }
}

void GraphTask::accumulate(TensorImpl* target, Tensor grad) {
  for (auto& [captured, slot] : captures)  // all of them: ag::grad may list an input twice
    if (captured == target) add_into(*slot, grad);
  if (captures_only) return;
  if (Node* node = target->grad_fn) {
    add_into(node->pending_grad_, std::move(grad));
  } else if (accumulate_into_leaves && target->requires_grad) {
    // A leaf's grad() is the user's to change in place, so it never shares values with another gradient.
    if (!target->grad.defined() && !sole_owner(grad.impl()))
      grad = grad.requires_grad() ? grad.clone() : kernels::copy(grad);
    if (outside_recorded_kernel()) [[unlikely]]
      note_leaf_gradient(target, !target->grad.defined());
    add_into(target->grad, std::move(grad));
  }
}

// The running sum a backward may add into in place: nobody else holds it, and nothing else watches it.
Tensor GraphTask::accumulation_target(TensorImpl* target) {
  if (!captures.empty() || create_graph || hooked_leaves.load(std::memory_order_relaxed) != 0) return Tensor();
  Tensor* sum = nullptr;
  if (Node* node = target->grad_fn)
    sum = &node->pending_grad_;
  else if (accumulate_into_leaves && target->requires_grad)
    sum = &target->grad;
  if (!sum || !sum->defined() || sum->requires_grad() || !sole_owner(sum->impl())) return Tensor();
  if (!target->grad_fn && outside_recorded_kernel()) [[unlikely]]
    note_leaf_gradient(target, false);
  ++sum->impl()->storage->version;  // as add_ would: the sum is changed in place
  return *sum;
}

void GraphTask::run(std::span<const Tensor> outputs, std::span<Tensor> output_grads) {
  ScopedSwitch grad_mode(grad_enabled, create_graph);
  for (const Tensor& output : outputs)
    if (output.impl()->released_op) fail_released(output.impl()->released_op);
  try {
    sort(outputs);
    if (accumulate_into_leaves && hooked_leaves.load(std::memory_order_relaxed) != 0) [[unlikely]]
      hooks.plan(order);
    for (std::size_t i = 0; i < outputs.size(); ++i) accumulate(outputs[i].impl(), std::move(output_grads[i]));
    propagate();
  } catch (...) {
    release_claims();
    throw;
  }
}

void GraphTask::propagate() {
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl* impl = it->impl();
    Node* node = impl->grad_fn;
    Tensor grad = std::move(node->pending_grad_);
    if (grad.defined()) {
      BackwardContext ctx(*this, *node, impl);
      running_op_ = node->name();
      node->backward(ctx, grad);
    }
    if (retain_graph) {
      node->running_pass_.store(0, std::memory_order_release);
    } else {
      impl->released_op = node->name();
      impl->grad_fn = nullptr;
      Node::destroy(node);
    }
    if (!hooks.empty()) [[unlikely]]
      hooks.run_after(static_cast<std::size_t>(order.rend() - it) - 1);
    *it = Tensor();  // the pass no longer needs it: free it now if nobody else holds it
  }
}

void GraphTask::run_node(TensorImpl* output, const Tensor& grad) {
  NoGradGuard no_grad;
  Node* node = output->grad_fn;
  claim(*node);  // a backward that the node's backward function starts must not free it
  running_op_ = node->name();
  BackwardContext ctx(*this, *node, output);
  try {
    node->backward(ctx, grad);
  } catch (...) {
    node->running_pass_.store(0, std::memory_order_release);
    throw;
  }
  node->running_pass_.store(0, std::memory_order_release);
}

// The gradient that starts a pass from `output`: ones for a scalar, else `gradient` checked against it. Under
// create_graph a gradient that requires grad stays in the graph (gradgradcheck differentiates with respect to it).
Tensor checked_output_grad(const Tensor& output, const Tensor& gradient, const char* op, bool create_graph = false) {
  if (!output.requires_grad())
    fail(
        "{}: the output does not require grad (no input of the graph has requires_grad set, or it was built "
        "under NoGradGuard)",
        op);
  if (!gradient.defined()) {
    if (output.numel() != 1)
      fail(
          "{}: the output has shape {}; without an explicit gradient it must have exactly one element "
          "(pass a gradient of shape {})",
          op, output.shape(), output.shape());
    return ones_like(output);
  }
  if (!(gradient.shape() == output.shape()) || gradient.dtype() != output.dtype())
    fail("{}: the gradient has shape {} and dtype {}, but the output has shape {} and dtype {}", op, gradient.shape(),
         dtype_name(gradient.dtype()), output.shape(), dtype_name(output.dtype()));
  return create_graph ? gradient : gradient.detach();
}

}  // namespace detail

namespace {
// `tensor`, input `index` of `node` (or its output when `index` is the input count), no longer has the values
// that the forward saw, and that the backward needs.
[[noreturn]] void fail_modified(const Node& node, std::size_t index, const Tensor& tensor, std::uint32_t saved) {
  const std::string which = index < node.inputs().size() ? fmt::format("input {}", index) : "the output";
  const std::string label = tensor.label().empty() ? "" : fmt::format(", '{}'", tensor.label());
  fail(
      "{} backward: {} (shape {}{}) was modified in place after the forward (version {} saved, now {}); clone() it "
      "before modifying, or modify it after backward()",
      node.name(), which, tensor.shape(), label, saved, tensor.impl()->storage->version);
}
}  // namespace

const Tensor& BackwardContext::saved_input(std::size_t index) const {
  if (index >= node_.inputs().size())
    fail("{} backward: input {} asked for, but the op has {} inputs", node_.name(), index, node_.inputs().size());
  return node_.inputs()[index];
}

namespace {
[[noreturn]] void fail_not_saved(const Node& node, const std::string& which) {
  fail(
      "{} backward: reads the values of {}, which the op's SavedValues said it would not: they may be freed; ask "
      "for them in the SavedValues passed to make_op",
      node.name(), which);
}
}  // namespace

const Tensor& BackwardContext::input(std::size_t index) const {
  const Tensor& tensor = saved_input(index);
  if (!node_.saves_input(index)) fail_not_saved(node_, fmt::format("input {}", index));
  const std::uint32_t saved = node_.saved_versions()[index];
  if (tensor.impl()->storage->version != saved) fail_modified(node_, index, tensor, saved);
  return tensor;
}

std::size_t BackwardContext::inputs_count() const { return node_.inputs().size(); }

Tensor BackwardContext::accumulation_target(std::size_t index) {
  const Tensor& target = saved_input(index);
  if (!target.requires_grad() || is_anomaly_enabled()) return Tensor();
  return task_.accumulation_target(target.impl());
}

Tensor BackwardContext::output() const {
  if (!node_.saves_output()) fail_not_saved(node_, "the output");
  ++output_->refcount;
  Tensor tensor(output_);
  const std::uint32_t saved = node_.saved_versions()[node_.inputs().size()];
  if (output_->storage->version != saved) fail_modified(node_, node_.inputs().size(), tensor, saved);
  return tensor;
}

void BackwardContext::add_grad(std::size_t index, Tensor grad) {
  const Tensor& target = saved_input(index);
  if (!target.requires_grad()) return;
  if (!grad.defined()) fail("{} backward: the gradient for input {} is undefined", node_.name(), index);
  if (!(grad.shape() == target.shape()) || grad.dtype() != target.dtype())
    fail("{} backward: the gradient for input {} has shape {} and dtype {}, but the input has shape {} and dtype {}",
         node_.name(), index, grad.shape(), dtype_name(grad.dtype()), target.shape(), dtype_name(target.dtype()));
  if (is_anomaly_enabled()) detail::check_finite_backward(node_, index, grad);
  task_.accumulate(target.impl(), std::move(grad));
}

void backward(const Tensor& output, const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) {
  detail::GraphTask task;
  task.retain_graph = retain_graph.value_or(create_graph);
  task.create_graph = create_graph;
  Tensor seed = detail::checked_output_grad(output, gradient, "backward", create_graph);
  task.run({&output, 1}, {&seed, 1});
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options) {
  if (!options.grad_outputs.empty() && options.grad_outputs.size() != outputs.size())
    fail("grad: {} grad_outputs given for {} outputs", options.grad_outputs.size(), outputs.size());
  std::vector<Tensor> output_grads;
  for (std::size_t i = 0; i < outputs.size(); ++i)
    output_grads.push_back(detail::checked_output_grad(
        outputs[i], options.grad_outputs.empty() ? Tensor() : options.grad_outputs[i], "grad", options.create_graph));

  std::vector<Tensor> results(inputs.size());
  detail::GraphTask task;
  task.retain_graph = options.retain_graph.value_or(options.create_graph);
  task.create_graph = options.create_graph;
  task.accumulate_into_leaves = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) fail("grad: input {} (shape {}) does not require grad", i, inputs[i].shape());
    task.captures.emplace_back(inputs[i].impl(), &results[i]);
  }
  task.run(outputs, output_grads);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!results[i].defined() && !options.allow_unused)
      fail(
          "grad: input {} (shape {}) was not used to compute the outputs (set allow_unused to get an undefined "
          "gradient for it)",
          i, inputs[i].shape());
  return results;
}

std::vector<Tensor> local_gradients(const Tensor& output, const Tensor& grad_output) {
  Node* node = output.impl()->grad_fn;
  if (!node) fail("local_gradients: the tensor (shape {}) was not produced by a recorded op", output.shape());
  const Tensor seed = detail::checked_output_grad(output, grad_output, "local_gradients");
  std::vector<Tensor> results(node->inputs().size());
  detail::GraphTask task;
  task.captures_only = true;
  for (std::size_t i = 0; i < results.size(); ++i) task.captures.emplace_back(node->inputs()[i].impl(), &results[i]);
  task.run_node(output.impl(), seed);
  return results;
}

}  // namespace ag

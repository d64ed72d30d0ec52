// Value::backward(): a walk back along the tape from the output. Inputs are always older than the ops that use
// them, so by the time the walk reaches a node, every gradient for it has arrived.

#include <autograd/value.hpp>

#include <autograd/anomaly.hpp>
#include <autograd/error.hpp>

#include <cmath>

namespace ag {
namespace detail {
namespace {

// The newest node of the next older chunk that has any; null past the oldest.
ValueNode* newest_node_before(Chunk* chunk) {
  for (chunk = chunk->older; chunk; chunk = chunk->older)
    if (chunk->used > 0) return chunk->nodes() + chunk->used - 1;
  return nullptr;
}

// After an error in the middle of a walk: nodes from `from` back may still hold gradients not sent on.
void clear_walk(ValueNode* from) {
  for (ValueNode* newest = from; newest; newest = newest_node_before(Chunk::of(newest)))
    for (ValueNode* node = newest + 1; node != Chunk::of(newest)->nodes();) {
      --node;
      node->reached = 0;
      node->pending = 0.0;
    }
}

[[noreturn]] void fail_anomaly(ValueNode* node, int input, double gradient) {
  clear_walk(node);
  fail("anomaly: the backward of '{}' (result {}) produced {} in the gradient for input {} (value {})", node->op,
       node->data, gradient, input, node->inputs[input]->data);
}

// Visits the reached nodes from `output` back, each once, and stops when no gradient is left to send on.
template <bool kCheckAnomaly>
void walk_back_from(ValueNode* output) {
  output->pending = 1.0;
  output->reached = 1;
  std::int64_t waiting = 1;  // nodes reached but not visited yet
  // The next node visited is most often the input that the node before it just sent to (its neighbour on the tape):
  // its gradient is carried in a register, which takes a store-to-load round trip off the walk's critical path.
  const ValueNode* carried_node = nullptr;
  double carried = 0.0;
  for (ValueNode* newest = output; newest; newest = newest_node_before(Chunk::of(newest))) {
    ValueNode* const oldest = Chunk::of(newest)->nodes();
    for (ValueNode* node = newest + 1; node != oldest;) {
      --node;
      if (!node->reached) continue;
      node->reached = 0;
      --waiting;
      const double gradient = node == carried_node ? carried : node->pending;
      node->pending = 0.0;
      node->grad += gradient;
      for (int i = 0; i < 2; ++i) {
        ValueNode* input = node->inputs[i];
        if (!input) break;
        const double input_gradient = node->partials[i] * gradient;
        if (kCheckAnomaly && !std::isfinite(input_gradient)) fail_anomaly(node, i, input_gradient);
        if (input->leaf) {  // off the tape: nothing to send on
          input->grad += input_gradient;
        } else {
          input->pending += input_gradient;
          if (input + 1 == node) {
            carried_node = input;
            carried = input->pending;
          }
          waiting += !input->reached;
          input->reached = 1;
        }
      }
      if (waiting == 0) return;
    }
  }
}

}  // namespace
}  // namespace detail

void Value::backward() const {
  detail::ValueNode& output = checked("backward");
  if (output.owner != detail::tape.id)
    fail("Value::backward: {} was made on another thread; a Value and its graph belong to the thread that made them",
         to_string(*this));
  if (detail::tape.recording) detail::trace_backward(&output);
  if (output.leaf)
    output.grad += 1.0;
  else if (detail::anomaly_enabled)
    detail::walk_back_from<true>(&output);
  else
    detail::walk_back_from<false>(&output);
}

}  // namespace ag

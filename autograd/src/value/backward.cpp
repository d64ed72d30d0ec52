// Value::backward(): a walk back along the tape from the output. Inputs are always older than the ops that use
// them, so by the time the walk reaches a node, every gradient for it has arrived.

#include <autograd/anomaly.hpp>
#include <autograd/error.hpp>

#include <cmath>

#include "value/tape.hpp"

namespace ag {
namespace detail {
namespace {

// Steps to the next older node on the tape; null past the oldest.
ValueNode* older_node(ValueNode* node) {
  Chunk* chunk = Chunk::of(node);
  if (node != chunk->nodes()) return node - 1;
  for (chunk = chunk->older; chunk; chunk = chunk->older)
    if (chunk->used > 0) return chunk->nodes() + chunk->used - 1;
  return nullptr;
}

// After an error in the middle of a walk: nodes older than `from` may still hold gradients that were not sent on.
void clear_walk(ValueNode* from) {
  for (ValueNode* node = from; node; node = older_node(node)) {
    node->reached = 0;
    node->pending = 0.0;
  }
}

[[noreturn]] void fail_anomaly(ValueNode* node, int input, double gradient) {
  clear_walk(node);
  fail("anomaly: the backward of '{}' (result {}) produced {} in the gradient for input {} (value {})", node->op,
       node->data, gradient, input, node->inputs[input]->data);
}

void walk_back_from(ValueNode* output) {
  const bool check_anomaly = anomaly_enabled;
  output->pending = 1.0;
  output->reached = 1;
  std::int64_t waiting = 1;  // nodes reached but not visited yet; the walk ends when none are left
  for (ValueNode* node = output; node; node = older_node(node)) {
    if (!node->reached) continue;
    node->reached = 0;
    --waiting;
    const double gradient = node->pending;
    node->pending = 0.0;
    node->grad += gradient;
    for (int i = 0; i < 2; ++i) {
      ValueNode* input = node->inputs[i];
      if (!input) break;
      const double input_gradient = node->partials[i] * gradient;
      if (check_anomaly && !std::isfinite(input_gradient)) [[unlikely]]
        fail_anomaly(node, i, input_gradient);
      if (input->owner == 0) {  // a leaf, off the tape: nothing to send on
        input->grad += input_gradient;
      } else {
        input->pending += input_gradient;
        waiting += !input->reached;
        input->reached = 1;
      }
    }
    if (waiting == 0) return;
  }
}

}  // namespace
}  // namespace detail

void Value::backward() const {
  detail::ValueNode& output = checked("backward");
  if (output.owner == 0) {
    output.grad += 1.0;
  } else if (output.owner != detail::tape.id) {
    fail("Value::backward: {} was computed on another thread; a Value's graph belongs to the thread that made it",
         to_string(*this));
  } else {
    detail::walk_back_from(&output);
  }
}

}  // namespace ag

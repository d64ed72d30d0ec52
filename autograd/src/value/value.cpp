#include <autograd/value.hpp>

#include <autograd/detail/pool.hpp>
#include <autograd/error.hpp>

namespace ag {

Value::Value(double data) : node_(static_cast<detail::ValueNode*>(detail::pool_allocate(sizeof(detail::ValueNode)))) {
  node_->data = data;
  node_->grad = 0.0;
  node_->pending = 0.0;
  node_->inputs[0] = nullptr;
  node_->inputs[1] = nullptr;
  node_->op = "";
  node_->refcount = 1;
  node_->owner = detail::tape_id();
  node_->leaf = 1;
  node_->reached = 0;
  if (detail::tape.recording) detail::trace_leaf(node_);
}

void Value::fail_empty(const char* what) {
  fail("Value::{}: the Value is empty (default-constructed or moved from); assign it a Value first", what);
}

std::string to_string(const Value& value) {
  if (!value.defined()) return "Value(empty)";
  if (*value.op() == '\0') return fmt::format("Value(data={}, grad={})", value.data(), value.grad());
  return fmt::format("Value(data={}, grad={}, op={})", value.data(), value.grad(), value.op());
}

namespace detail {

void fail_value_input(const char* op, const Value& input) {
  if (!input.defined()) fail("{}: an input is an empty Value (default-constructed or moved from)", op);
  fail("{}: an input {} was made on another thread; a Value and its graph belong to the thread that made them", op,
       to_string(input));
}

void fail_value_anomaly(const char* op, double result, const Value& a, const Value* b) {
  if (b) fail("anomaly: the forward of '{}' produced {} from {} and {}", op, result, a.data(), b->data());
  fail("anomaly: the forward of '{}' produced {} from {}", op, result, a.data());
}

}  // namespace detail

}  // namespace ag

#pragma once

// What every ag::Value op uses: read its inputs (checked), then record its result with the partial derivatives.

#include <autograd/anomaly.hpp>
#include <autograd/grad_mode.hpp>

#include <cmath>

#include "value/tape.hpp"

namespace ag::detail {

[[noreturn]] void fail_value_input(const char* op, const Value& input);
[[noreturn]] void fail_value_anomaly(const char* op, double result, const Value& a, const Value* b);

// The value of an op's input: an empty Value, or an op result from another thread's tape, throws ag::Error.
inline double input_data(const char* op, const Value& input) {
  const ValueNode* node = input.node();
  if (!node || (node->owner != tape.id && node->owner != 0)) [[unlikely]]
    fail_value_input(op, input);
  return node->data;
}

inline ValueNode* new_result(const char* op, double data) {
  ValueNode* node = allocate_node();
  node->data = data;
  node->grad = 0.0;
  node->pending = 0.0;
  node->inputs[0] = nullptr;
  node->inputs[1] = nullptr;
  node->op = op;
  node->refcount = 1;
  node->owner = tape.id;
  node->reached = 0;
  return node;
}

inline void add_input(ValueNode* node, int index, const Value& input, double partial) {
  ValueNode* input_node = input.node();
  ++input_node->refcount;
  node->inputs[index] = input_node;
  node->partials[index] = partial;
}

// An op of one input: its result and d result / d a. Under NoGradGuard, a constant.
inline Value record(const char* op, double data, const Value& a, double da) {
  if (anomaly_enabled && !std::isfinite(data)) [[unlikely]]
    fail_value_anomaly(op, data, a, nullptr);
  ValueNode* node = new_result(op, data);
  if (grad_enabled) add_input(node, 0, a, da);
  return Value(node);
}

// An op of two inputs: its result and d result / d a, d result / d b.
inline Value record(const char* op, double data, const Value& a, double da, const Value& b, double db) {
  if (anomaly_enabled && !std::isfinite(data)) [[unlikely]]
    fail_value_anomaly(op, data, a, &b);
  ValueNode* node = new_result(op, data);
  if (grad_enabled) {
    add_input(node, 0, a, da);
    add_input(node, 1, b, db);
  }
  return Value(node);
}

}  // namespace ag::detail

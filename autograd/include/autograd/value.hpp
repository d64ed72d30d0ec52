#pragma once

// ag::Value: one number that records the ops made with it, as micrograd's Value, for graphs of many small scalar
// ops (a network built neuron by neuron, a loop over a few weights). A 0-d ag::Tensor can do the same, at about a
// hundred times the cost per op; Value is made for it.
//
// How it works (as Adept, Stan and CoDiPack tapes): every op computes its result and its partial derivatives with
// respect to its inputs (at most two) at once, and stores them in a node on its thread's tape, a list of chunks
// filled in creation order. backward() walks the tape back from the output, newest node first, which is a
// topological order by construction; each node it reaches sends partial * gradient to its inputs. No sort, no
// per-op dispatch, no allocation.
//
// Memory: a node holds its inputs; a chunk is reused once all its nodes are gone, so a training loop that drops
// each step's graph keeps memory flat. Leaves (Value(0.5): parameters, inputs) live outside the tape.
//
// Semantics as micrograd's: every Value, leaf or not, has a grad() that backward() adds to until zero_grad().
// backward() may run again on the same graph. Under NoGradGuard ops record constants, which no gradient crosses.
// Under DetectAnomalyGuard a NaN or Inf in a result or in a gradient throws ag::Error naming the op.
//
// Thread rule: a Value and its graph belong to the thread that made them (reference counts are not atomic and
// each thread has its own tape); using one in an op or in backward() on another thread throws ag::Error. A thread's
// tape is released when the thread ends; its Values that are still held stay readable, and another thread may then
// read and drop them.

#include <autograd/anomaly.hpp>
#include <autograd/detail/value_tape.hpp>
#include <autograd/grad_mode.hpp>

#include <fmt/format.h>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <string>
#include <utility>

namespace ag {

// A handle to one node: copies share it, as micrograd's Python references do.
class Value {
 public:
  Value() = default;            // empty: anything but assigning to it throws ag::Error
  explicit Value(double data);  // a leaf: a number to take gradients with respect to
  // Value(0) and Value(n) for an integer n: an exact match, so 0 is not taken for the null ValueNode* below.
  template <std::integral I>
  explicit Value(I data) : Value(static_cast<double>(data)) {}
  explicit Value(detail::ValueNode* node) noexcept : node_(node) {}  // takes over one reference
  Value(const Value& other) noexcept : node_(other.node_) {
    if (node_) ++node_->refcount;
  }
  Value(Value&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  Value& operator=(const Value& other) noexcept {
    Value copy(other);
    std::swap(node_, copy.node_);
    return *this;
  }
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Value old(std::move(*this));
      node_ = std::exchange(other.node_, nullptr);
    }
    return *this;
  }
  ~Value() {
    if (node_ && --node_->refcount == 0) detail::release(node_);
  }

  bool defined() const { return node_ != nullptr; }
  detail::ValueNode* node() const { return node_; }

  // micrograd's .data: `p.data() -= learning_rate * p.grad()` updates a parameter in place.
  double data() const { return checked("data").data; }
  double& data() { return checked("data").data; }
  double grad() const { return checked("grad").grad; }
  void zero_grad() { checked("zero_grad").grad = 0.0; }
  const char* op() const { return checked("op").op; }  // "" for a leaf

  // Adds d(this)/d(v) to the grad() of every Value v this one was computed from, and 1 to its own.
  void backward() const;

  // The functions, as methods like micrograd's (x.tanh(), x.pow(2)): each records one node.
  Value pow(double exponent) const;
  Value exp() const;
  Value log() const;  // NaN below 0 and -inf at 0, as std::log and PyTorch
  Value sqrt() const;
  Value abs() const;  // derivative 0 at 0, as PyTorch
  Value tanh() const;
  Value sigmoid() const;
  Value relu() const;  // derivative 0 at 0 and at NaN (which it keeps), as PyTorch

 private:
  detail::ValueNode& checked(const char* what) const {
    if (!node_) fail_empty(what);
    return *node_;
  }
  [[noreturn]] static void fail_empty(const char* what);

  detail::ValueNode* node_ = nullptr;
};

namespace detail {

[[noreturn]] void fail_value_input(const char* op, const Value& input);
[[noreturn]] void fail_value_anomaly(const char* op, double result, const Value& a, const Value* b);

// The value of an op's input: an empty Value, or one made on another thread, throws ag::Error.
inline double input_data(const char* op, const Value& input) {
  const ValueNode* node = input.node();
  if (!node || node->owner != tape.id) [[unlikely]]
    fail_value_input(op, input);
  return node->data;
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

}  // namespace detail

// The ops: each computes its result and its partial derivatives together and records one node. A number on either
// side of an arithmetic op is a constant.
inline Value operator+(const Value& a, const Value& b) {
  return detail::record("+", detail::input_data("+", a) + detail::input_data("+", b), a, 1.0, b, 1.0);
}
inline Value operator+(const Value& a, double b) { return detail::record("+", detail::input_data("+", a) + b, a, 1.0); }
inline Value operator+(double a, const Value& b) { return detail::record("+", a + detail::input_data("+", b), b, 1.0); }

inline Value operator-(const Value& a, const Value& b) {
  return detail::record("-", detail::input_data("-", a) - detail::input_data("-", b), a, 1.0, b, -1.0);
}
inline Value operator-(const Value& a, double b) { return detail::record("-", detail::input_data("-", a) - b, a, 1.0); }
inline Value operator-(double a, const Value& b) {
  return detail::record("-", a - detail::input_data("-", b), b, -1.0);
}

inline Value operator*(const Value& a, const Value& b) {
  const double x = detail::input_data("*", a);
  const double y = detail::input_data("*", b);
  return detail::record("*", x * y, a, y, b, x);
}
inline Value operator*(const Value& a, double b) { return detail::record("*", detail::input_data("*", a) * b, a, b); }
inline Value operator*(double a, const Value& b) { return detail::record("*", a * detail::input_data("*", b), b, a); }

// d(x/y)/dy as the tensor div and PyTorch take it, -(x/y)/y: -x/(y*y) would overflow or underflow sooner.
inline Value operator/(const Value& a, const Value& b) {
  const double x = detail::input_data("/", a);
  const double y = detail::input_data("/", b);
  const double quotient = x / y;
  return detail::record("/", quotient, a, 1.0 / y, b, -quotient / y);
}
inline Value operator/(const Value& a, double b) {
  return detail::record("/", detail::input_data("/", a) / b, a, 1.0 / b);
}
inline Value operator/(double a, const Value& b) {
  const double y = detail::input_data("/", b);
  const double quotient = a / y;
  return detail::record("/", quotient, b, -quotient / y);
}

inline Value operator-(const Value& a) { return detail::record("neg", -detail::input_data("neg", a), a, -1.0); }

// Derivative 0 for the exponent 0 (not 0 * x^-1, NaN at 0), as the tensor pow and PyTorch.
inline Value Value::pow(double exponent) const {
  const double x = detail::input_data("pow", *this);
  const double partial = exponent == 0.0 ? 0.0 : exponent * std::pow(x, exponent - 1.0);
  return detail::record("pow", std::pow(x, exponent), *this, partial);
}

inline Value Value::exp() const {
  const double e = std::exp(detail::input_data("exp", *this));
  return detail::record("exp", e, *this, e);
}

inline Value Value::log() const {
  const double v = detail::input_data("log", *this);
  return detail::record("log", std::log(v), *this, 1.0 / v);
}

inline Value Value::sqrt() const {
  const double root = std::sqrt(detail::input_data("sqrt", *this));
  return detail::record("sqrt", root, *this, 0.5 / root);
}

inline Value Value::abs() const {
  const double v = detail::input_data("abs", *this);
  return detail::record("abs", std::abs(v), *this, v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : 0.0);
}

inline Value Value::tanh() const {
  const double t = std::tanh(detail::input_data("tanh", *this));
  return detail::record("tanh", t, *this, 1.0 - t * t);
}

inline Value Value::sigmoid() const {
  const double s = 1.0 / (1.0 + std::exp(-detail::input_data("sigmoid", *this)));
  return detail::record("sigmoid", s, *this, s * (1.0 - s));
}

inline Value Value::relu() const {
  const double v = detail::input_data("relu", *this);
  return detail::record("relu", v < 0.0 ? 0.0 : v, *this, v > 0.0 ? 1.0 : 0.0);  // NaN stays NaN, as the tensor relu
}

// Compound assignment records a new node and rebinds the handle to it, as += on micrograd's Value.
template <class Other>
Value& operator+=(Value& a, const Other& b) {
  return a = a + b;
}
template <class Other>
Value& operator-=(Value& a, const Other& b) {
  return a = a - b;
}
template <class Other>
Value& operator*=(Value& a, const Other& b) {
  return a = a * b;
}
template <class Other>
Value& operator/=(Value& a, const Other& b) {
  return a = a / b;
}

// "Value(data=-8, grad=0, op=*)"; "Value(empty)" for an empty one.
std::string to_string(const Value& value);

namespace detail {

// This thread's tape, for tests and benchmarks.
struct ValueTapeStats {
  std::int64_t chunks_in_use;   // chunks holding live nodes (and the one being filled)
  std::int64_t spare_chunks;    // empty chunks kept for reuse
  std::int64_t live_nodes;      // op results not freed yet
  std::int64_t nodes_recorded;  // ops recorded since the thread started
};
ValueTapeStats value_tape_stats();

}  // namespace detail

}  // namespace ag

template <>
struct fmt::formatter<ag::Value> : fmt::formatter<std::string_view> {
  auto format(const ag::Value& value, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ag::to_string(value), ctx);
  }
};

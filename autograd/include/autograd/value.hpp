#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// ag::Value: one number that records the ops made with it, as micrograd's Value, for graphs of many small scalar
/// ops (a network built neuron by neuron, a loop over a few weights). A 0-d ag::Tensor can do the same, at about a
/// hundred times the cost per op; Value is made for it.
///
/// How it works (as Adept, Stan and CoDiPack tapes): every op computes its result and its partial derivatives with
/// respect to its inputs (at most two) at once, and stores them in a node on its thread's tape, a list of chunks
/// filled in creation order. backward() walks the tape back from the output, newest node first, which is a
/// topological order by construction; each node it reaches sends partial * gradient to its inputs. No sort, no
/// per-op dispatch, no allocation.
///
/// Memory: a node holds its inputs; a chunk is reused once all its nodes are gone, so a training loop that drops
/// each step's graph keeps memory flat. Leaves (Value(0.5): parameters, inputs) live outside the tape.
///
/// Semantics as micrograd's: every Value, leaf or not, has a grad() that backward() adds to until zero_grad().
/// backward() may run again on the same graph. Under NoGradGuard ops record constants, which no gradient crosses.
/// Under DetectAnomalyGuard a NaN or Inf in a result or in a gradient throws ag::Error naming the op.
///
/// Thread rule: a Value and its graph belong to the thread that made them (reference counts are not atomic and
/// each thread has its own tape); using one in an op or in backward() on another thread throws ag::Error. A thread's
/// tape is released when the thread ends; its Values that are still held stay readable, and another thread may then
/// read and drop them.

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

/// One number that records the ops made with it, as micrograd's Value (see value.hpp). A handle to one node:
/// copies share it, as micrograd's Python references do.
class Value {
 public:
  /// An empty Value: anything but assigning to it throws ag::Error.
  Value() = default;
  /// A leaf: a number to take gradients with respect to.
  explicit Value(double data);
  /// Value(0) and Value(n) for an integer n: an exact match, so 0 is not taken for the null ValueNode* below.
  template <std::integral I>
  explicit Value(I data) : Value(static_cast<double>(data)) {}
  /// Takes over one reference to `node`; for the library's internals.
  explicit Value(detail::ValueNode* node) noexcept : node_(node) {}
  /// Another handle to the same node.
  Value(const Value& other) noexcept : node_(other.node_) {
    if (node_) ++node_->refcount;
  }
  /// Takes over `other`'s node, leaving `other` empty.
  Value(Value&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  /// Makes this a handle to `other`'s node, dropping the one it held.
  Value& operator=(const Value& other) noexcept {
    Value copy(other);
    std::swap(node_, copy.node_);
    return *this;
  }
  /// Takes over `other`'s node, leaving `other` empty.
  Value& operator=(Value&& other) noexcept {
    if (this != &other) {
      Value old(std::move(*this));
      node_ = std::exchange(other.node_, nullptr);
    }
    return *this;
  }
  /// Drops this handle; the last one frees the node, and the graph behind it.
  ~Value() {
    if (node_ && --node_->refcount == 0) detail::release(node_);
  }

  /// Whether this handle holds a node (it is not empty).
  bool defined() const { return node_ != nullptr; }
  /// The node, or null when empty; for the library's internals.
  detail::ValueNode* node() const { return node_; }

  /// The number, micrograd's .data. Throws ag::Error if the Value is empty.
  double data() const { return checked("data").data; }
  /// The number, writable: `p.data() -= learning_rate * p.grad()` updates a parameter in place. Throws ag::Error if
  /// the Value is empty.
  double& data() { return checked("data").data; }
  /// The sum of d(output)/d(this) over the backward() calls that reached it since zero_grad(); 0 at first. Throws
  /// ag::Error if the Value is empty.
  double grad() const { return checked("grad").grad; }
  /// Sets grad() back to 0. Throws ag::Error if the Value is empty.
  void zero_grad() { checked("zero_grad").grad = 0.0; }
  /// The op that computed this Value ("+", "tanh"), or "" for a leaf. Throws ag::Error if the Value is empty.
  const char* op() const { return checked("op").op; }

  /// Adds d(this)/d(v) to the grad() of every Value v this one was computed from, and 1 to its own. May run again on
  /// the same graph. Throws ag::Error if the Value is empty or was made on another thread, or, under anomaly mode,
  /// if a gradient is NaN or Inf.
  void backward() const;

  /// @name Functions
  /// The functions, as methods like micrograd's (x.tanh(), x.pow(2)): each records one node. In the gradients, g is
  /// the gradient reaching the result y. Each throws ag::Error if the Value is empty or was made on another thread,
  /// or, under anomaly mode, if the result is NaN or Inf.
  ///@{

  /// xᵖ for a fixed exponent p.
  /// Gradient: d/dx = g p xᵖ⁻¹; 0 for the exponent 0 (not 0 · x⁻¹, NaN at 0), as the tensor pow and PyTorch.
  Value pow(double exponent) const;
  /// eˣ.
  /// Gradient: d/dx = g y.
  Value exp() const;
  /// The natural logarithm: NaN below 0 and -inf at 0, as std::log and PyTorch.
  /// Gradient: d/dx = g / x.
  Value log() const;
  /// The square root.
  /// Gradient: d/dx = g / (2 y).
  Value sqrt() const;
  /// The absolute value.
  /// Gradient: d/dx = g sign(x), 0 at 0, as PyTorch.
  Value abs() const;
  /// The hyperbolic tangent.
  /// Gradient: d/dx = g (1 - y²).
  Value tanh() const;
  /// 1 / (1 + e⁻ˣ).
  /// Gradient: d/dx = g y (1 - y).
  Value sigmoid() const;
  /// max(x, 0); a NaN stays NaN, as the tensor relu.
  /// Gradient: d/dx = g where x > 0, else 0 (0 at 0 and at NaN), as PyTorch.
  Value relu() const;
  ///@}

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

/// @name Value arithmetic
/// The ops: each computes its result and its partial derivatives together and records one node. A number on either
/// side of an arithmetic op is a constant. In the gradients, g is the gradient reaching the result. Each throws
/// ag::Error if a Value input is empty or was made on another thread, or, under anomaly mode, if the result is NaN or
/// Inf.
///@{

/// a + b.
/// Gradient: d/da = g, d/db = g.
inline Value operator+(const Value& a, const Value& b) {
  return detail::record("+", detail::input_data("+", a) + detail::input_data("+", b), a, 1.0, b, 1.0);
}
/// a + b for a constant b.
/// Gradient: d/da = g.
inline Value operator+(const Value& a, double b) { return detail::record("+", detail::input_data("+", a) + b, a, 1.0); }
/// a + b for a constant a.
/// Gradient: d/db = g.
inline Value operator+(double a, const Value& b) { return detail::record("+", a + detail::input_data("+", b), b, 1.0); }

/// a - b.
/// Gradient: d/da = g, d/db = -g.
inline Value operator-(const Value& a, const Value& b) {
  return detail::record("-", detail::input_data("-", a) - detail::input_data("-", b), a, 1.0, b, -1.0);
}
/// a - b for a constant b.
/// Gradient: d/da = g.
inline Value operator-(const Value& a, double b) { return detail::record("-", detail::input_data("-", a) - b, a, 1.0); }
/// a - b for a constant a.
/// Gradient: d/db = -g.
inline Value operator-(double a, const Value& b) {
  return detail::record("-", a - detail::input_data("-", b), b, -1.0);
}

/// a * b.
/// Gradient: d/da = g b, d/db = g a.
inline Value operator*(const Value& a, const Value& b) {
  const double x = detail::input_data("*", a);
  const double y = detail::input_data("*", b);
  return detail::record("*", x * y, a, y, b, x);
}
/// a * b for a constant b.
/// Gradient: d/da = g b.
inline Value operator*(const Value& a, double b) { return detail::record("*", detail::input_data("*", a) * b, a, b); }
/// a * b for a constant a.
/// Gradient: d/db = g a.
inline Value operator*(double a, const Value& b) { return detail::record("*", a * detail::input_data("*", b), b, a); }

/// a / b.
/// Gradient: d/da = g / b, d/db = -g (a/b)/b: d(x/y)/dy as the tensor div and PyTorch take it, -(x/y)/y, since
/// -x/(y*y) would overflow or underflow sooner.
inline Value operator/(const Value& a, const Value& b) {
  const double x = detail::input_data("/", a);
  const double y = detail::input_data("/", b);
  const double quotient = x / y;
  return detail::record("/", quotient, a, 1.0 / y, b, -quotient / y);
}
/// a / b for a constant b.
/// Gradient: d/da = g / b.
inline Value operator/(const Value& a, double b) {
  return detail::record("/", detail::input_data("/", a) / b, a, 1.0 / b);
}
/// a / b for a constant a.
/// Gradient: d/db = -g (a/b)/b.
inline Value operator/(double a, const Value& b) {
  const double y = detail::input_data("/", b);
  const double quotient = a / y;
  return detail::record("/", quotient, b, -quotient / y);
}

/// -a.
/// Gradient: d/da = -g.
inline Value operator-(const Value& a) { return detail::record("neg", -detail::input_data("neg", a), a, -1.0); }
///@}

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

/// a = a + b, b a Value or a number. Compound assignment records a new node and rebinds the handle to it, as += on
/// micrograd's Value: other handles to the old node keep it. Throws ag::Error as the op does.
template <class Other>
Value& operator+=(Value& a, const Other& b) {
  return a = a + b;
}
/// a = a - b, b a Value or a number: records a new node and rebinds the handle to it.
template <class Other>
Value& operator-=(Value& a, const Other& b) {
  return a = a - b;
}
/// a = a * b, b a Value or a number: records a new node and rebinds the handle to it.
template <class Other>
Value& operator*=(Value& a, const Other& b) {
  return a = a * b;
}
/// a = a / b, b a Value or a number: records a new node and rebinds the handle to it.
template <class Other>
Value& operator/=(Value& a, const Other& b) {
  return a = a / b;
}

/// "Value(data=-8, grad=0, op=*)"; a leaf's has no op, and an empty Value's is "Value(empty)".
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

/// @cond
template <>
struct fmt::formatter<ag::Value> : fmt::formatter<std::string_view> {
  auto format(const ag::Value& value, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ag::to_string(value), ctx);
  }
};
/// @endcond

#pragma GCC visibility pop

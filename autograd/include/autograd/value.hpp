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
///
/// A step of fixed shape (the same ops every time, on new numbers) can be recorded once and replayed with no tape,
/// no allocation and no reference counting: see ag::trace_values in value_trace.hpp.

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

namespace detail {

// Every op of Value. The eager op and a trace's replay (value_trace.hpp) both compute through value_op(), so that a
// replayed step gives bitwise the numbers of the eager one.
enum class ValueOp : std::uint8_t {
  kAdd,  // of two Values
  kSub,
  kMul,
  kDiv,
  kAddConstant,  // of a Value x and a number c: x + c (and c + x)
  kSubConstant,  // x - c
  kConstantSub,  // c - x
  kMulConstant,  // x * c (and c * x)
  kDivConstant,  // x / c
  kConstantDiv,  // c / x
  kNeg,
  kPow,  // the number is the exponent
  kExp,
  kLog,
  kSqrt,
  kAbs,
  kTanh,
  kSigmoid,
  kRelu,
};

// An op's result and its partial derivatives with respect to its inputs (0 for a number, and for the second input of
// a function of one).
struct ValueOpResult {
  double data;
  double partials[2];
};

// The op's label in to_string() and in errors.
constexpr const char* value_op_name(ValueOp op) {
  switch (op) {
    case ValueOp::kAdd:
    case ValueOp::kAddConstant:
      return "+";
    case ValueOp::kSub:
    case ValueOp::kSubConstant:
    case ValueOp::kConstantSub:
      return "-";
    case ValueOp::kMul:
    case ValueOp::kMulConstant:
      return "*";
    case ValueOp::kDiv:
    case ValueOp::kDivConstant:
    case ValueOp::kConstantDiv:
      return "/";
    case ValueOp::kNeg:
      return "neg";
    case ValueOp::kPow:
      return "pow";
    case ValueOp::kExp:
      return "exp";
    case ValueOp::kLog:
      return "log";
    case ValueOp::kSqrt:
      return "sqrt";
    case ValueOp::kAbs:
      return "abs";
    case ValueOp::kTanh:
      return "tanh";
    case ValueOp::kSigmoid:
      return "sigmoid";
    case ValueOp::kRelu:
      return "relu";
  }
  return "?";
}

// Every op's forward and derivatives, in one place: `op` of x and y, where y is the second Value's data, the number
// of a constant form or pow's exponent (unused by the other functions). Inlined with a constant `op` into each eager
// op, where the switch folds away; a replay calls it with the recorded one.
[[gnu::always_inline]] inline ValueOpResult value_op(ValueOp op, double x, double y) {
  switch (op) {
    case ValueOp::kAdd:
      return {x + y, {1.0, 1.0}};
    case ValueOp::kSub:
      return {x - y, {1.0, -1.0}};
    case ValueOp::kMul:
      return {x * y, {y, x}};
    case ValueOp::kDiv: {
      // d(x/y)/dy as the tensor div and PyTorch take it, -(x/y)/y: -x/(y*y) would overflow or underflow sooner.
      const double quotient = x / y;
      return {quotient, {1.0 / y, -quotient / y}};
    }
    case ValueOp::kAddConstant:
      return {x + y, {1.0, 0.0}};
    case ValueOp::kSubConstant:
      return {x - y, {1.0, 0.0}};
    case ValueOp::kConstantSub:
      return {y - x, {-1.0, 0.0}};
    case ValueOp::kMulConstant:
      return {x * y, {y, 0.0}};
    case ValueOp::kDivConstant:
      return {x / y, {1.0 / y, 0.0}};
    case ValueOp::kConstantDiv: {
      const double quotient = y / x;
      return {quotient, {-quotient / x, 0.0}};
    }
    case ValueOp::kNeg:
      return {-x, {-1.0, 0.0}};
    case ValueOp::kPow:
      // Derivative 0 for the exponent 0 (not 0 * x^-1, NaN at 0), as the tensor pow and PyTorch.
      return {std::pow(x, y), {y == 0.0 ? 0.0 : y * std::pow(x, y - 1.0), 0.0}};
    case ValueOp::kExp: {
      const double e = std::exp(x);
      return {e, {e, 0.0}};
    }
    case ValueOp::kLog:
      return {std::log(x), {1.0 / x, 0.0}};
    case ValueOp::kSqrt: {
      const double root = std::sqrt(x);
      return {root, {0.5 / root, 0.0}};
    }
    case ValueOp::kAbs:
      return {std::abs(x), {x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0, 0.0}};
    case ValueOp::kTanh: {
      const double t = std::tanh(x);
      return {t, {1.0 - t * t, 0.0}};
    }
    case ValueOp::kSigmoid: {
      const double s = 1.0 / (1.0 + std::exp(-x));
      return {s, {s * (1.0 - s), 0.0}};
    }
    case ValueOp::kRelu:
      return {x < 0.0 ? 0.0 : x, {x > 0.0 ? 1.0 : 0.0, 0.0}};  // NaN stays NaN, as the tensor relu
  }
  __builtin_unreachable();
}

// The recording trace's side of an op, zero_grad(), a new leaf and backward() (autograd/src/value/trace.cpp),
// called only while ag::trace_values records on this thread; each may throw ag::Error for what a replay could not
// repeat.
void trace_op(ValueOp op, ValueNode* result, ValueNode* a, ValueNode* b, double number);
void trace_zero_grad(ValueNode* node);
void trace_leaf(ValueNode* leaf);
void trace_backward(ValueNode* output);

}  // namespace detail

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
  void zero_grad() {
    checked("zero_grad").grad = 0.0;
    if (detail::tape.recording) [[unlikely]]
      detail::trace_zero_grad(node_);
  }
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

// Records the node of an op's result, its inputs (b null for an op of one Value) and their partials; under
// NoGradGuard, a constant. A recording trace (value_trace.hpp) is told last, so that its error frees the node.
template <ValueOp kOp>
[[gnu::always_inline]] inline Value record(const ValueOpResult& result, const Value& a, const Value* b, double number) {
  constexpr const char* name = value_op_name(kOp);
  if (anomaly_enabled && !std::isfinite(result.data)) [[unlikely]]
    fail_value_anomaly(name, result.data, a, b);
  ValueNode* node = new_result(name, result.data);
  if (grad_enabled) {
    add_input(node, 0, a, result.partials[0]);
    if (b) add_input(node, 1, *b, result.partials[1]);
  }
  Value value(node);
  if (tape.recording) [[unlikely]]
    trace_op(kOp, node, a.node(), b ? b->node() : nullptr, number);
  return value;
}

// An op of two Values.
template <ValueOp kOp>
[[gnu::always_inline]] inline Value record_op(const Value& a, const Value& b) {
  const double x = input_data(value_op_name(kOp), a);
  const double y = input_data(value_op_name(kOp), b);
  return record<kOp>(value_op(kOp, x, y), a, &b, 0.0);
}

// An op of one Value, and a number for the constant forms and pow.
template <ValueOp kOp>
[[gnu::always_inline]] inline Value record_op(const Value& a, double number = 0.0) {
  return record<kOp>(value_op(kOp, input_data(value_op_name(kOp), a), number), a, nullptr, number);
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
inline Value operator+(const Value& a, const Value& b) { return detail::record_op<detail::ValueOp::kAdd>(a, b); }
/// a + b for a constant b.
/// Gradient: d/da = g.
inline Value operator+(const Value& a, double b) { return detail::record_op<detail::ValueOp::kAddConstant>(a, b); }
/// a + b for a constant a.
/// Gradient: d/db = g.
inline Value operator+(double a, const Value& b) { return detail::record_op<detail::ValueOp::kAddConstant>(b, a); }

/// a - b.
/// Gradient: d/da = g, d/db = -g.
inline Value operator-(const Value& a, const Value& b) { return detail::record_op<detail::ValueOp::kSub>(a, b); }
/// a - b for a constant b.
/// Gradient: d/da = g.
inline Value operator-(const Value& a, double b) { return detail::record_op<detail::ValueOp::kSubConstant>(a, b); }
/// a - b for a constant a.
/// Gradient: d/db = -g.
inline Value operator-(double a, const Value& b) { return detail::record_op<detail::ValueOp::kConstantSub>(b, a); }

/// a * b.
/// Gradient: d/da = g b, d/db = g a.
inline Value operator*(const Value& a, const Value& b) { return detail::record_op<detail::ValueOp::kMul>(a, b); }
/// a * b for a constant b.
/// Gradient: d/da = g b.
inline Value operator*(const Value& a, double b) { return detail::record_op<detail::ValueOp::kMulConstant>(a, b); }
/// a * b for a constant a.
/// Gradient: d/db = g a.
inline Value operator*(double a, const Value& b) { return detail::record_op<detail::ValueOp::kMulConstant>(b, a); }

/// a / b.
/// Gradient: d/da = g / b, d/db = -g (a/b)/b: d(x/y)/dy as the tensor div and PyTorch take it, -(x/y)/y, since
/// -x/(y*y) would overflow or underflow sooner.
inline Value operator/(const Value& a, const Value& b) { return detail::record_op<detail::ValueOp::kDiv>(a, b); }
/// a / b for a constant b.
/// Gradient: d/da = g / b.
inline Value operator/(const Value& a, double b) { return detail::record_op<detail::ValueOp::kDivConstant>(a, b); }
/// a / b for a constant a.
/// Gradient: d/db = -g (a/b)/b.
inline Value operator/(double a, const Value& b) { return detail::record_op<detail::ValueOp::kConstantDiv>(b, a); }

/// -a.
/// Gradient: d/da = -g.
inline Value operator-(const Value& a) { return detail::record_op<detail::ValueOp::kNeg>(a); }
///@}

inline Value Value::pow(double exponent) const { return detail::record_op<detail::ValueOp::kPow>(*this, exponent); }
inline Value Value::exp() const { return detail::record_op<detail::ValueOp::kExp>(*this); }
inline Value Value::log() const { return detail::record_op<detail::ValueOp::kLog>(*this); }
inline Value Value::sqrt() const { return detail::record_op<detail::ValueOp::kSqrt>(*this); }
inline Value Value::abs() const { return detail::record_op<detail::ValueOp::kAbs>(*this); }
inline Value Value::tanh() const { return detail::record_op<detail::ValueOp::kTanh>(*this); }
inline Value Value::sigmoid() const { return detail::record_op<detail::ValueOp::kSigmoid>(*this); }
inline Value Value::relu() const { return detail::record_op<detail::ValueOp::kRelu>(*this); }

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

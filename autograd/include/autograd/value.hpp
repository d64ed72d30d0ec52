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
// Thread rule: op results and their graph belong to the thread that made them (reference counts are not atomic
// and each thread has its own tape); using one in an op or backward() on another thread throws ag::Error.
// Leaves may move to another thread, as Tensors may, but not be used by two threads at once. A thread's tape is
// released when the thread ends; op results that outlive their thread stay readable.

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <utility>

namespace ag {

namespace detail {

// One number on the graph: a leaf, or an op's result on its thread's tape (autograd/src/value/tape.cpp).
struct ValueNode {
  double data;
  double grad;
  union {
    double pending;           // during backward(): the gradient that reached this node so far
    ValueNode* next_to_free;  // during a teardown: the nodes waiting to be freed
  };
  ValueNode* inputs[2];  // null where the op has fewer
  double partials[2];    // d data / d inputs[i], from the forward pass
  const char* op;        // "" for leaves
  std::uint32_t refcount;
  std::uint32_t owner : 31;   // the id of the tape that holds the node; 0 for leaves
  std::uint32_t reached : 1;  // during backward(): a gradient arrived that was not sent on yet
};

// Frees a node whose last reference went away, and the inputs that only it held; iterative for deep graphs.
void release(ValueNode* node) noexcept;

}  // namespace detail

// A handle to one node: copies share it, as micrograd's Python references do.
class Value {
 public:
  Value() = default;            // empty: anything but assigning to it throws ag::Error
  explicit Value(double data);  // a leaf: a number to take gradients with respect to
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
    std::swap(node_, other.node_);
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
  Value relu() const;  // derivative 0 at 0, as PyTorch

 private:
  detail::ValueNode& checked(const char* what) const {
    if (!node_) fail_empty(what);
    return *node_;
  }
  [[noreturn]] static void fail_empty(const char* what);

  detail::ValueNode* node_ = nullptr;
};

// The arithmetic ops; a number on either side is a constant. Each records one node.
Value operator+(const Value& a, const Value& b);
Value operator+(const Value& a, double b);
Value operator+(double a, const Value& b);
Value operator-(const Value& a, const Value& b);
Value operator-(const Value& a, double b);
Value operator-(double a, const Value& b);
Value operator*(const Value& a, const Value& b);
Value operator*(const Value& a, double b);
Value operator*(double a, const Value& b);
Value operator/(const Value& a, const Value& b);
Value operator/(const Value& a, double b);
Value operator/(double a, const Value& b);
Value operator-(const Value& a);

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

#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Trace and replay for ag::Value: a fixed-shape step of scalar ops (forward, zero_grad() and backward()) recorded
/// once as a flat list of instructions, then run again on new input values with no tape, no node allocation, no
/// reference counting and no per-op checks. The Value side of ag::trace (trace.hpp), for steps of a few to a few
/// hundred thousand scalar ops (the tutorial's neuron, micrograd's MLP). Replayed steps give bitwise the numbers of
/// eager ones: the eager ops and the replay compute every op through the same function.
///
/// @code
/// ag::Value w0(0.3), w1(-0.2), bias(0.1);
/// ag::ValueTrace step = ag::trace_values({0.0, 0.0, 0.0}, [&](const std::vector<ag::Value>& in) {
///   const ag::Value error = (in[0] * w0 + in[1] * w1 + bias).sigmoid() - in[2];
///   const ag::Value loss = error * error;
///   for (ag::Value* p : {&w0, &w1, &bias}) p->zero_grad();
///   loss.backward();
///   return std::vector<ag::Value>{loss};
/// });
/// for (const auto& [x0, x1, target] : samples) {
///   const ag::Value& loss = step.replay({x0, x1, target})[0];   // writes the inputs, reruns the step
///   for (ag::Value* p : {&w0, &w1, &bias}) p->data() -= learning_rate * p->grad();   // the update: outside
///   ...
/// }
/// @endcode
///
/// Recording runs the step for real, eagerly, and keeps every op it makes (with the Values it reads and the one it
/// makes), every zero_grad() and every backward(), in order. A replay repeats them on the same nodes: every Value the
/// step made shows the data() and grad() of the new step, as if the step had made it afresh (its grad() starts at 0
/// again), the leaves it reads are read as they are now (the parameters as the last update left them), and the
/// gradients of the leaves it reached are added to, or zeroed, as eager backward() and zero_grad() would. Leaves the
/// step makes itself (ag::Value(x) inside the step, and the trace's inputs) are its constants and inputs: their
/// grad() starts at 0 in each replay.
///
/// Limits:
///   - no data-dependent control flow: a branch on data() inside the step (an `if`, a max, an early stop) is taken
///     as it was at recording in every replay, without a warning; so is a number read from data() and used as a
///     constant. Such a step is not of fixed shape: run it eagerly;
///   - writes through data() are not ops and are not recorded: the update `p.data() -= lr * p.grad()` goes after
///     replay(), outside the step (a step that writes the data of a leaf it has read is refused while recording);
///   - the step reads leaves (ag::Value(x), made before or inside it) and the Values it computes: an op on a Value
///     computed before the recording, whose graph the trace would not repeat, is refused;
///   - one recording at a time per thread; a trace does not record another, nor replays inside a recording;
///   - a trace belongs to its thread, as its Values do: it is recorded, replayed and destroyed there.
/// A trace goes stale when a leaf it reads is replaced rather than written: `w = ag::Value(0.5)` after recording
/// rebinds w to a new leaf that the trace never sees, while it goes on reading and updating the old one. replay()
/// checks that every leaf made before the recording is still held outside the trace, and throws ag::Error naming
/// the leaf if not: record the trace again. Values written in place (`w.data() = 0.5`) are simply read by the next
/// replay. The trace keeps every node it recorded alive, as eager steps free theirs.

#include <autograd/value.hpp>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

namespace ag {

/// What ag::trace_values records: a step that gets the trace's input leaves and returns the Values to read after
/// each replay (a loss, predictions; none is fine).
using TracedValueStep = std::function<std::vector<Value>(const std::vector<Value>& inputs)>;

/// A recorded step of ag::Value ops, replayed on new input values (see value_trace.hpp). Made by ag::trace_values;
/// movable, not copyable.
class ValueTrace {
 public:
  /// Takes over `other`'s recording, leaving `other` empty: anything but assigning to it then throws ag::Error.
  ValueTrace(ValueTrace&& other) noexcept;
  /// Takes over `other`'s recording, dropping the one this trace held (and the nodes it kept).
  ValueTrace& operator=(ValueTrace&& other) noexcept;
  /// Drops the recording and the nodes it kept; on the thread that recorded it, as its Values.
  ~ValueTrace();

  /// Writes `inputs` into the trace's input leaves and runs the recorded step; returns outputs(). Throws ag::Error if
  /// the count differs from the recorded inputs', if the trace went stale (see value_trace.hpp), if it is called on
  /// another thread than the recording's or while a trace records, or, under anomaly mode, at a NaN or Inf.
  const std::vector<Value>& replay(std::span<const double> inputs);
  /// As replay(inputs), with the inputs as a braced list: `step.replay({x0, x1, target})`.
  const std::vector<Value>& replay(std::initializer_list<double> inputs);
  /// Runs the recorded step on the values now in the input leaves (written through input(i).data()); returns
  /// outputs(). Throws ag::Error as replay(inputs).
  const std::vector<Value>& replay();

  /// The trace's own input leaf `index`: writing its data() before replay() avoids the copy that replay(inputs)
  /// makes; its grad() is the step's gradient with respect to it. Throws ag::Error if there is no such input.
  Value input(std::size_t index) const;
  /// How many inputs the step takes.
  std::size_t inputs_count() const;
  /// The Values the step returned, with the numbers of the last replay (or of the recording).
  const std::vector<Value>& outputs() const;
  /// How many ops a replay computes: the nodes an eager step records.
  std::size_t op_count() const;

 private:
  friend ValueTrace trace_values(const std::vector<double>& example_inputs, const TracedValueStep& step);
  explicit ValueTrace(std::unique_ptr<detail::ValueTraceData> data);
  detail::ValueTraceData& checked(const char* what) const;

  std::unique_ptr<detail::ValueTraceData> data_;
};

/// Records `step` once, on new input leaves holding `example_inputs`, and returns the trace that replays it, as
/// ag::trace records a tensor step. The recording is a real step. Throws ag::Error, and keeps nothing, if `step` is
/// empty, if a trace already records on this thread, if the step does what a replay could not repeat (an op on a
/// Value computed before the recording, backward() from one, a write to the data() of a leaf it read; see
/// value_trace.hpp), or if the step throws (its error is passed on).
ValueTrace trace_values(const std::vector<double>& example_inputs, const TracedValueStep& step);

}  // namespace ag

#pragma GCC visibility pop

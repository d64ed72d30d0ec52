#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Trace and replay: a fixed-shape step (forward, backward and update) recorded once as the list of kernels it ran,
/// then run again on new input values with no graph, no node allocation, no dispatch and no shape checks. Made for
/// steps so small that building the graph costs more than the arithmetic (the tutorial's neuron, two moons); as a
/// CUDA graph, it repeats the recorded work on the same buffers. Replayed steps give bitwise the results of eager ones.
///
/// @code
/// ag::Trace step = ag::trace({example_x, example_y}, [&](const std::vector<ag::Tensor>& in) {
///   optimizer.zero_grad();
///   ag::Tensor loss = ag::nn::functional::cross_entropy(model.forward(in[0]), in[1]);
///   loss.backward();
///   optimizer.step();
///   return std::vector<ag::Tensor>{loss};
/// });
/// for (auto& [x, y] : batches) {
///   const ag::Tensor& loss = step.replay({x, y})[0];   // copies x and y in, runs the kernels
///   ...
/// }
/// @endcode
///
/// Recording runs the step for real (it is a training step like any other): every kernel it runs through
/// ag::run_kernel is kept, with the tensors it reads and writes. A replay runs the same kernels on the same tensors,
/// so everything the step wrote (parameters, their gradients, optimiser state, the outputs) is written again, and
/// everything it read is read again as it is now: new input values, the parameters as the last step left them, a
/// learning rate a scheduler changed. If the recorded run was the first to give some parameter a gradient that the
/// step then adds to (no zero_grad() in the step), it is recorded a second time, so that the trace repeats a step in
/// its steady state; recordings() says which.
///
/// Limits, each refused with an ag::Error while recording rather than replayed wrongly:
///   - no data-dependent control flow: item(), at() or to_vector() inside the step would fix a value read at
///     recording into every replay, and throw; so does an op whose output shape depends on values (nonzero);
///   - every value the step writes must come from an op or from a custom op's ag::run_kernel: a write through
///     mutable_data() outside one (data loading inside the step) throws, naming it; so does a draw from the global
///     random generator outside one (random ops draw inside their kernels, so a replay draws anew, in eager order);
///   - the inputs keep their shapes and dtypes: replay() refuses others, naming the input;
///   - one recording at a time per thread; a trace does not record another.
/// A trace goes stale when the tensors it recorded are replaced rather than written: a parameter's gradient dropped
/// by zero_grad() outside the step, or the optimiser it recorded destroyed. replay() checks these and throws, saying
/// what changed; record the trace again. Values written in place (loading a checkpoint into the parameters) are
/// simply read by the next replay. The trace keeps every tensor the step used alive, as eager steps free them.

#include <autograd/tensor.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace ag {

namespace detail {
struct TraceData;
}

/// What a trace records: a step that gets the trace's input tensors and returns the tensors to read after each
/// replay (a loss, predictions; none is fine; an undefined one stays undefined).
using TracedStep = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

/// A recorded step, replayed on new input values (see trace.hpp). Made by ag::trace; movable, not copyable.
class Trace {
 public:
  /// Records `step` on copies of `example_inputs` (see ag::trace).
  Trace(const std::vector<Tensor>& example_inputs, TracedStep step);
  /// Takes over `other`'s recording; `other` then refuses to replay.
  Trace(Trace&& other) noexcept;
  /// Takes over `other`'s recording, dropping this one's; `other` then refuses to replay.
  Trace& operator=(Trace&& other) noexcept;
  /// Drops the recording and the tensors it kept alive.
  ~Trace();

  /// Copies `inputs` into the trace's inputs and runs the recorded kernels; returns outputs(). Throws ag::Error if
  /// the count, a shape or a dtype differs from the recorded inputs, or if the trace went stale (see trace.hpp).
  const std::vector<Tensor>& replay(std::span<const Tensor> inputs);
  /// As replay(inputs), with the inputs as a braced list: `step.replay({x, y})`.
  const std::vector<Tensor>& replay(std::initializer_list<Tensor> inputs);
  /// Runs the recorded kernels on the values now in the inputs (written through input(i)); returns outputs().
  const std::vector<Tensor>& replay();

  /// The trace's own input `index`: writing new values into it (copy_, mutable_data) before replay() avoids the
  /// copy that replay(inputs) makes. Throws ag::Error if there is no such input.
  Tensor input(std::size_t index) const;
  /// How many inputs the step takes.
  std::size_t inputs_count() const;
  /// The tensors the step returned, with the values of the last replay (or of the recording).
  const std::vector<Tensor>& outputs() const;
  /// How many kernels a replay runs.
  std::size_t kernel_count() const;
  /// 1, or 2 when the first recording created gradients that the step accumulates into (see trace.hpp).
  int recordings() const;

 private:
  std::unique_ptr<detail::TraceData> data_;
};

/// Records `step` once (twice at the start of training, see trace.hpp) on copies of `example_inputs` and returns the
/// trace that replays it, as torch.jit.trace(step, example_inputs) records a function. The recording is a real
/// step. Throws ag::Error, and keeps nothing, if the step does what a replay could not repeat (see trace.hpp) or
/// throws itself.
Trace trace(const std::vector<Tensor>& example_inputs, TracedStep step);

namespace detail {
// The recording trace stops replaying once `owner` is gone (an optimiser whose update a kernel calls); `what`
// names it in the error.
void trace_depends_on(std::weak_ptr<const void> owner, const char* what);
}  // namespace detail

}  // namespace ag

#pragma GCC visibility pop

#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

// What Tensor's inline accessors need to know about a trace being recorded on this thread (autograd/trace.hpp):
// while one is, every write of tensor values must come from a kernel run through ag::run_kernel, which the trace
// keeps, and no value may be read back to the host outside one; anything else would not be repeated by a replay.

namespace ag::detail {

struct TraceRecorder;  // the trace being recorded (src/trace.cpp)

// This thread's recording trace, or null (nearly always).
inline thread_local TraceRecorder* recorder = nullptr;
// How many ag::run_kernel calls are running on this thread, while a trace is recorded (not counted otherwise).
inline thread_local int kernel_depth = 0;

// While recording, outside a kernel: the values `what` reads or writes would not be repeated by a replay.
inline bool outside_recorded_kernel() { return recorder != nullptr && kernel_depth == 0; }
[[noreturn]] void fail_untraced_write(const char* what);
[[noreturn]] void fail_untraced_read(const char* what);
// For an op whose output shape depends on its input's values (nonzero): refused while a trace records.
void refuse_in_trace(const char* op);

struct TensorImpl;
// The engine and Tensor::zero_grad tell the recording trace how the step treats gradients: a leaf's gradient dropped
// (zero_grad), or given to the leaf (`fresh`: it had none, so the leaf takes the gradient's values as they are).
void note_zero_grad(TensorImpl* leaf);
void note_leaf_gradient(TensorImpl* leaf, bool fresh);
// A kernel the recording trace keeps holds a handle to `impl`.
void note_held(TensorImpl* impl);
// While recording: whether nobody but its one handle holds `impl` and its values, not counting the handles that the
// recording trace's kernels hold. The engine's in-place decisions (summing gradients, a GEMM adding into one) must be
// the same while recording as in an eager step, or a replay would not repeat an eager step bitwise.
bool sole_owner_while_recording(const TensorImpl* impl);

}  // namespace ag::detail

#pragma GCC visibility pop

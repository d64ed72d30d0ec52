#include <autograd/run_kernel.hpp>
#include <autograd/trace.hpp>

#include <autograd/grad_mode.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>

namespace ag {
namespace detail {

// A leaf whose gradient the step wrote: a replay writes the same gradient tensor, so the leaf must still hold it.
struct TracedLeaf {
  Tensor leaf;
  TensorImpl* grad = nullptr;  // the gradient tensor it held at the end of the recording
  Storage* storage = nullptr;
};

struct TraceData {
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  std::vector<std::unique_ptr<RecordedKernel>> kernels;
  std::vector<TracedLeaf> leaves;
  std::vector<std::pair<std::weak_ptr<const void>, const char*>> owners;
  int recordings = 0;
};

// The state of one recording, reached through `recorder` by the kernels and the engine.
struct TraceRecorder {
  TraceData& data;
  std::vector<TensorImpl*> zeroed;  // leaves whose gradient the step dropped before giving them one
  std::vector<Tensor> leaves;       // leaves the step gave gradients to (held: the step may drop its own)
  std::unordered_map<const TensorImpl*, std::uint32_t> held;  // handles that the kept kernels hold
  bool record_again = false;  // a leaf had no gradient when the step began, and the step adds to it
  const char* last_kernel = nullptr;
};

namespace {

std::string last_kernel_hint() {
  if (!recorder || !recorder->last_kernel) return "before any kernel of the step ran";
  return fmt::format("after kernel '{}'", recorder->last_kernel);
}

// Makes `recording` this thread's recorder for its scope.
class RecordingScope {
 public:
  explicit RecordingScope(TraceRecorder& recording) {
    if (recorder) fail("trace: a trace is being recorded on this thread already; one trace does not record another");
    recorder = &recording;
  }
  ~RecordingScope() { recorder = nullptr; }
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
};

std::string describe(const Tensor& tensor) {
  const std::string label = tensor.label().empty() ? "" : fmt::format(" '{}'", tensor.label());
  return fmt::format("tensor{} of shape {}", label, tensor.shape());
}

void record_once(TraceData& data, const TracedStep& step) {
  data.kernels.clear();
  data.leaves.clear();
  data.owners.clear();
  data.outputs.clear();
  TraceRecorder recording{data, {}, {}, {}, false, nullptr};
  {
    RecordingScope scope(recording);
    data.outputs = step(data.inputs);
  }
  for (Tensor& leaf : recording.leaves) {
    TensorImpl* impl = leaf.impl();
    data.leaves.push_back({std::move(leaf), impl->grad.impl(), impl->storage});
  }
  ++data.recordings;
  if (recording.record_again && data.recordings == 1) record_once(data, step);
}

}  // namespace

void record_kernel(std::unique_ptr<RecordedKernel> kernel) {
  recorder->last_kernel = kernel->name();
  recorder->data.kernels.push_back(std::move(kernel));
}

void fail_untraced_write(const char* what) {
  fail(
      "trace: tensor values were written through {}() outside ag::run_kernel while recording ({}): a replay would "
      "not repeat the write. Load data outside the step and pass it as an input; a custom op computes its values "
      "inside ag::run_kernel",
      what, last_kernel_hint());
}

void fail_untraced_read(const char* what) {
  fail(
      "trace: {}() read a tensor's value while recording ({}): every replay would reuse the value read now "
      "(data-dependent control flow cannot be traced). Compute with tensor ops, or read the outputs after replay()",
      what, last_kernel_hint());
}

void refuse_in_trace(const char* op) {
  if (outside_recorded_kernel())
    fail("trace: {}: its output's shape depends on its input's values, which a replay cannot follow", op);
}

void note_zero_grad(TensorImpl* leaf) { recorder->zeroed.push_back(leaf); }

void note_leaf_gradient(TensorImpl* leaf, bool fresh) {
  TraceRecorder& recording = *recorder;
  if (fresh && std::find(recording.zeroed.begin(), recording.zeroed.end(), leaf) == recording.zeroed.end()) {
    // The leaf had no gradient when the step began (its first step) yet the step does not drop it: a later step
    // adds to it, which this recording does not.
    recording.record_again = true;
  }
  if (std::none_of(recording.leaves.begin(), recording.leaves.end(),
                   [&](const Tensor& each) { return each.impl() == leaf; })) {
    ++leaf->refcount;
    recording.leaves.emplace_back(leaf);
  }
}

void note_held(TensorImpl* impl) { ++recorder->held[impl]; }

bool sole_owner_while_recording(const TensorImpl* impl) {
  if (!impl->storage) return false;
  std::uint32_t refs = impl->refcount;
  std::uint32_t storage_refs = impl->storage->refcount;
  // Discount the kept kernels' handles, and the tensors sharing these values that only those handles keep alive.
  for (const auto& [other, count] : recorder->held)
    if (other == impl)
      refs -= count;
    else if (other->storage == impl->storage && other->refcount == count)
      --storage_refs;
  return refs == 1 && storage_refs == 1;
}

}  // namespace detail

void detail::trace_depends_on(std::weak_ptr<const void> owner, const char* what) {
  if (detail::outside_recorded_kernel()) detail::recorder->data.owners.emplace_back(std::move(owner), what);
}

Trace::Trace(const std::vector<Tensor>& example_inputs, TracedStep step)
    : data_(std::make_unique<detail::TraceData>()) {
  if (!step) fail("trace: the step is an empty function");
  for (std::size_t i = 0; i < example_inputs.size(); ++i) {
    const Tensor& example = example_inputs[i];
    if (!example.defined()) fail("trace: example input {} is an undefined tensor", i);
    Tensor input;
    {
      NoGradGuard no_grad;
      input = example.clone();
    }
    if (example.requires_grad()) input.requires_grad_(true);
    data_->inputs.push_back(std::move(input));
  }
  detail::record_once(*data_, step);
}

Trace::Trace(Trace&&) noexcept = default;
Trace& Trace::operator=(Trace&&) noexcept = default;
Trace::~Trace() = default;

const std::vector<Tensor>& Trace::replay(std::span<const Tensor> inputs) {
  if (!data_) fail("Trace::replay: the trace was moved from");
  if (inputs.size() != data_->inputs.size())
    fail("Trace::replay: got {} inputs, but the trace was recorded with {}", inputs.size(), data_->inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& given = inputs[i];
    const Tensor& own = data_->inputs[i];
    if (!given.defined()) fail("Trace::replay: input {} is an undefined tensor", i);
    if (given.dtype() != own.dtype() || !(given.shape() == own.shape()))
      fail(
          "Trace::replay: input {} has shape {} and dtype {}, but the trace was recorded with shape {} and dtype {}; "
          "record a trace for each shape",
          i, given.shape(), dtype_name(given.dtype()), own.shape(), dtype_name(own.dtype()));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& given = inputs[i];
    detail::TensorImpl& own = *data_->inputs[i].impl();
    if (!given.impl()->storage) detail::fail_values_freed(*given.impl());
    std::memmove(own.storage->data() + own.offset * dtype_size(own.dtype),
                 given.impl()->storage->data() + given.impl()->offset * dtype_size(given.dtype()),
                 static_cast<std::size_t>(given.numel()) * dtype_size(given.dtype()));
  }
  return replay();
}

const std::vector<Tensor>& Trace::replay(std::initializer_list<Tensor> inputs) {
  return replay(std::span<const Tensor>(inputs.begin(), inputs.size()));
}

const std::vector<Tensor>& Trace::replay() {
  if (!data_) fail("Trace::replay: the trace was moved from");
  if (detail::recorder) fail("Trace::replay: called while a trace is being recorded on this thread");
  for (const auto& [owner, what] : data_->owners)
    if (owner.expired()) fail("Trace::replay: the {} that the step used was destroyed; record the trace again", what);
  for (const detail::TracedLeaf& traced : data_->leaves) {
    const detail::TensorImpl& leaf = *traced.leaf.impl();
    if (leaf.storage != traced.storage) [[unlikely]]
      fail(
          "Trace::replay: the values of a {} it trains were replaced since the trace was recorded (Module::to()?); "
          "a replay writes the ones it recorded: record the trace again",
          detail::describe(traced.leaf));
    if (leaf.grad.impl() != traced.grad) [[unlikely]]
      fail(
          "Trace::replay: the gradient of a {} it trains was {} since the trace was recorded (zero_grad() or a "
          "backward() outside the step?); a replay writes the gradient it recorded: record the trace again",
          detail::describe(traced.leaf), leaf.grad.defined() ? "replaced" : "dropped");
  }
  for (const auto& kernel : data_->kernels) kernel->run();
  return data_->outputs;
}

Tensor Trace::input(std::size_t index) const {
  if (!data_) fail("Trace::input: the trace was moved from");
  if (index >= data_->inputs.size())
    fail("Trace::input: there is no input {} (the trace has {})", index, data_->inputs.size());
  return data_->inputs[index];
}

std::size_t Trace::inputs_count() const { return data_ ? data_->inputs.size() : 0; }

const std::vector<Tensor>& Trace::outputs() const {
  if (!data_) fail("Trace::outputs: the trace was moved from");
  return data_->outputs;
}

std::size_t Trace::kernel_count() const { return data_ ? data_->kernels.size() : 0; }

int Trace::recordings() const { return data_ ? data_->recordings : 0; }

Trace trace(const std::vector<Tensor>& example_inputs, TracedStep step) {
  return Trace(example_inputs, std::move(step));
}

}  // namespace ag

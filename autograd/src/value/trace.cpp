// ag::trace_values and ValueTrace::replay: the recording hooks that Value's ops, zero_grad(), leaves and backward()
// call while a trace records, and the replay loop. A replay works on the recorded nodes themselves, so that every
// Value the step made shows the new numbers, and an eager backward() from one of them after a replay still works.

#include <autograd/value_trace.hpp>

#include <autograd/anomaly.hpp>
#include <autograd/error.hpp>

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>

namespace ag {
namespace detail {

namespace {

// One op of the step: y is the second Value's data or `number` (a constant, pow's exponent).
// x_is_previous and y_is_previous: the input is the previous op's result, which the replay keeps in a register
// rather than reading it back from memory (a store-to-load round trip on the step's critical path).
struct ForwardInstruction {
  ValueNode* result;
  const double* x;
  const double* y;
  double number;
  ValueOp op;
  bool x_is_previous;
  bool y_is_previous;
};

// One node that a recorded backward() visits, newest first as the eager walk does. Each input's gradient goes to a
// leaf's grad, to a node's grad or pending gradient, or, where the node has no such input, to the trace's sink.
// A node that no earlier backward() of the step reached still has the grad 0 its op gave it: its gradients are added
// to its grad directly, the sum the eager walk adds to 0 through `pending`. Otherwise (`accumulates`) they go
// through pending, as eagerly.
// carried_in: the node's gradient is the sum the step before it just stored (held in a register; see
// ForwardInstruction); carry_out: which target is the next step's gradient, or -1.
struct BackwardStep {
  ValueNode* node;
  double* targets[2];
  bool accumulates;
  bool carried_in;
  std::int8_t carry_out;
};

// A run of the step's calls of one kind, in recorded order.
struct Segment {
  enum class Kind : std::uint8_t { kForward, kZeroGrad, kBackward };
  Kind kind;
  std::uint32_t begin;  // into forward, zeroed or backward
  std::uint32_t end;
  ValueNode* output;  // kBackward: the Value backward() was called on
  bool pending;       // kBackward: output's gradient goes through pending (see BackwardStep)
};

// A leaf made before the recording: read as it is at each replay, and held outside the trace while it is current.
struct WatchedLeaf {
  ValueNode* node;
  double data_when_read;                // at the recording's first read, to catch a write inside the step
  std::uint32_t references_inside = 0;  // how many of its references the trace's own nodes and outputs hold
};

// What the recording knows of a node it met.
enum class Role : std::uint8_t {
  kMadeLeaf,     // ag::Value(x) made during the recording, not used by the trace yet
  kOwnLeaf,      // ... and used: a constant or input of the trace, its grad reset at each replay
  kWatchedLeaf,  // a leaf made before the recording
  kResult,       // an op's result
};
struct Known {
  Role role;
  std::uint32_t index;  // kWatchedLeaf: into watched; kResult: into forward
};

constexpr std::int32_t kNoInput = -1;
constexpr std::int32_t kLeafInput = -2;

std::string describe(ValueNode* node) {
  ++node->refcount;  // the handle below takes over this reference
  return to_string(Value(node));
}

}  // namespace

struct ValueTraceData {
  std::uint32_t tape_id = 0;
  std::vector<ForwardInstruction> forward;
  std::vector<BackwardStep> backward;
  std::vector<double*> zeroed;
  std::vector<Segment> segments;
  std::vector<ValueNode*> own_leaves;
  std::vector<WatchedLeaf> watched;
  std::vector<ValueNode*> held;  // one reference to every node above
  std::vector<Value> inputs;
  std::vector<Value> outputs;
  double sink = 0.0;

  // While recording only.
  std::unordered_map<const ValueNode*, Known> known;
  std::vector<std::int32_t> graph_inputs;  // per op: the index of each graph input's op, kNoInput or kLeafInput
  std::vector<char> reached_before;        // per op: a backward() reached it already

  ValueTraceData() = default;
  ValueTraceData(const ValueTraceData&) = delete;
  ValueTraceData& operator=(const ValueTraceData&) = delete;
  ~ValueTraceData() {
    inputs.clear();
    outputs.clear();
    for (ValueNode* node : held)
      if (--node->refcount == 0) release(node);
  }

  void hold(ValueNode* node) {
    ++node->refcount;
    held.push_back(node);
  }

  // Called for every node the step hands the trace: takes a reference to the leaves it meets, refuses a node
  // computed before the recording. `call` names what met it in the error: an op, "zero_grad()", "backward()".
  void use(ValueNode* node, const char* call, bool is_op) {
    const auto met = [&] {
      return is_op ? fmt::format("the op '{}' inside the step reads {}", call, describe(node))
                   : fmt::format("{} inside the step on {}", call, describe(node));
    };
    if (node->owner != tape.id)
      fail("ag::trace_values: {}, made on another thread; a Value and its graph belong to the thread that made them",
           met());
    const auto found = known.find(node);
    if (found == known.end()) {
      if (!node->leaf)
        fail(
            "ag::trace_values: {}, computed before the recording; a trace reads leaves (ag::Value(x)) and the "
            "Values its step computes, not a graph made before it: make that Value a leaf (ag::Value(v.data())) or "
            "compute it inside the step",
            met());
      known.emplace(node, Known{Role::kWatchedLeaf, static_cast<std::uint32_t>(watched.size())});
      watched.push_back({node, node->data});
      hold(node);
    } else if (found->second.role == Role::kMadeLeaf) {
      found->second.role = Role::kOwnLeaf;
      own_leaves.push_back(node);
      hold(node);
    }
  }

  void append(Segment::Kind kind, std::uint32_t index) {
    if (segments.empty() || segments.back().kind != kind || kind == Segment::Kind::kBackward)
      segments.push_back({kind, index, index, nullptr, false});
    segments.back().end = index + 1;
  }

  std::int32_t graph_input(const ValueNode* input) const {
    if (!input) return kNoInput;
    if (input->leaf) return kLeafInput;
    return static_cast<std::int32_t>(known.at(input).index);
  }

  void record_op(ValueOp op, ValueNode* result, ValueNode* a, ValueNode* b, double number) {
    use(a, value_op_name(op), true);
    if (b) use(b, value_op_name(op), true);
    const auto index = static_cast<std::uint32_t>(forward.size());
    const ValueNode* previous =
        !segments.empty() && segments.back().kind == Segment::Kind::kForward ? forward.back().result : nullptr;
    forward.push_back(
        {result, &a->data, b ? &b->data : nullptr, number, op, previous && a == previous, previous && b == previous});
    // The partials that the op's node does not use are set, so that a replay may multiply them by a gradient.
    if (!result->inputs[0]) result->partials[0] = 0.0;
    if (!result->inputs[1]) result->partials[1] = 0.0;
    hold(result);
    known[result] = Known{Role::kResult, index};
    graph_inputs.push_back(graph_input(result->inputs[0]));
    graph_inputs.push_back(graph_input(result->inputs[1]));
    reached_before.push_back(0);
    append(Segment::Kind::kForward, index);
  }

  void record_zero_grad(ValueNode* node) {
    use(node, "zero_grad()", false);
    const auto index = static_cast<std::uint32_t>(zeroed.size());
    zeroed.push_back(&node->grad);
    append(Segment::Kind::kZeroGrad, index);
  }

  // The nodes the eager walk from `output` visits, newest first: those its graph reaches, all made by the step.
  void record_backward(ValueNode* output) {
    if (output->leaf) {
      use(output, "backward()", false);
      segments.push_back({Segment::Kind::kBackward, 0, 0, output, false});
      return;
    }
    const auto found = known.find(output);
    if (found == known.end() || found->second.role != Role::kResult)
      fail(
          "ag::trace_values: backward() inside the step from {}, computed before the recording; a trace replays "
          "backward() only from a Value its step computed, or from a leaf",
          describe(output));
    const std::uint32_t newest = found->second.index;
    const auto begin = static_cast<std::uint32_t>(backward.size());
    std::vector<char> reached(newest + 1, 0);
    reached[newest] = 1;
    for (std::uint32_t index = newest + 1; index-- > 0;) {
      if (!reached[index]) continue;
      ValueNode* node = forward[index].result;
      BackwardStep step{node, {&sink, &sink}, reached_before[index] != 0, false, -1};
      for (int i = 0; i < 2; ++i) {
        const std::int32_t input = graph_inputs[2 * index + i];
        if (input == kLeafInput) {
          step.targets[i] = &node->inputs[i]->grad;
        } else if (input != kNoInput) {
          const auto input_index = static_cast<std::size_t>(input);
          reached[input_index] = 1;
          step.targets[i] = reached_before[input_index] ? &node->inputs[i]->pending : &node->inputs[i]->grad;
        }
      }
      backward.push_back(step);
    }
    for (std::uint32_t k = begin; k + 1 < backward.size(); ++k) {
      BackwardStep& next = backward[k + 1];
      const double* source = next.accumulates ? &next.node->pending : &next.node->grad;
      for (std::int8_t i = 1; i >= 0 && backward[k].carry_out < 0; --i)
        if (backward[k].targets[i] == source) backward[k].carry_out = i;
      next.carried_in = backward[k].carry_out >= 0;
    }
    for (std::uint32_t index = 0; index <= newest; ++index) reached_before[index] |= reached[index];
    segments.push_back({Segment::Kind::kBackward, begin, static_cast<std::uint32_t>(backward.size()), output,
                        backward[begin].accumulates});
  }

  // After the step returned: refuses a write through data() to a leaf it read, counts the references to each
  // watched leaf that the trace itself holds, and points the constant forms' y at their numbers.
  void finish(std::vector<Value> step_outputs) {
    outputs = std::move(step_outputs);
    for (WatchedLeaf& leaf : watched) {
      if (std::bit_cast<std::uint64_t>(leaf.node->data) != std::bit_cast<std::uint64_t>(leaf.data_when_read))
        fail(
            "ag::trace_values: the step wrote the data() of a leaf it reads, {} (it was {} when the step first read "
            "it): writes through data() are not recorded, so a replay would not repeat them; update parameters "
            "after replay(), outside the step",
            describe(leaf.node), leaf.data_when_read);
      leaf.references_inside = 1;  // held
    }
    const auto count_reference = [&](const ValueNode* node) {
      if (!node || !node->leaf) return;
      const auto found = known.find(node);
      if (found != known.end() && found->second.role == Role::kWatchedLeaf)
        ++watched[found->second.index].references_inside;
    };
    for (ForwardInstruction& instruction : forward) {
      for (const ValueNode* input : instruction.result->inputs) count_reference(input);
      if (!instruction.y) instruction.y = &instruction.number;
    }
    for (const Value& output : outputs) count_reference(output.node());
    known = {};
    graph_inputs = {};
    reached_before = {};
  }
};

namespace {

[[noreturn]] void fail_forward_anomaly(const ForwardInstruction& instruction, double result) {
  if (instruction.y == &instruction.number)
    fail("anomaly: the forward of '{}' produced {} from {} in a replay of a ValueTrace", value_op_name(instruction.op),
         result, *instruction.x);
  fail("anomaly: the forward of '{}' produced {} from {} and {} in a replay of a ValueTrace",
       value_op_name(instruction.op), result, *instruction.x, *instruction.y);
}

[[noreturn]] void fail_backward_anomaly(const BackwardStep* first, const BackwardStep* last, const BackwardStep& step,
                                        int input, double gradient) {
  for (const BackwardStep* each = first; each != last; ++each) each->node->pending = 0.0;
  fail(
      "anomaly: the backward of '{}' (result {}) produced {} in the gradient for input {} (value {}) in a replay "
      "of a ValueTrace",
      step.node->op, step.node->data, gradient, input, step.node->inputs[input]->data);
}

// Whether `op`'s partials depend on its inputs' values (else the node keeps those of the recording), for each input.
constexpr bool first_partial_varies(ValueOp op) {
  switch (op) {
    case ValueOp::kAdd:
    case ValueOp::kSub:
    case ValueOp::kAddConstant:
    case ValueOp::kSubConstant:
    case ValueOp::kConstantSub:
    case ValueOp::kMulConstant:
    case ValueOp::kDivConstant:
    case ValueOp::kNeg:
      return false;
    default:
      return true;
  }
}
constexpr bool second_partial_varies(ValueOp op) { return op == ValueOp::kMul || op == ValueOp::kDiv; }

template <ValueOp kOp, bool kCheckAnomaly>
[[gnu::always_inline]] inline void replay_op(const ForwardInstruction& instruction, double& previous) {
  const double x = instruction.x_is_previous ? previous : *instruction.x;
  const double y = instruction.y_is_previous ? previous : *instruction.y;
  const ValueOpResult result = value_op(kOp, x, y);
  if (kCheckAnomaly && !std::isfinite(result.data)) fail_forward_anomaly(instruction, result.data);
  previous = result.data;
  ValueNode* node = instruction.result;
  node->data = result.data;
  node->grad = 0.0;  // as a node the eager step makes afresh
  if constexpr (first_partial_varies(kOp)) node->partials[0] = result.partials[0];
  if constexpr (second_partial_varies(kOp)) node->partials[1] = result.partials[1];
}

template <bool kCheckAnomaly>
void run_forward(const ForwardInstruction* first, const ForwardInstruction* last) {
  double previous = 0.0;
  for (const ForwardInstruction* instruction = first; instruction != last; ++instruction) {
    switch (instruction->op) {
#define AG_REPLAY_OP(name)                                           \
  case ValueOp::name:                                                \
    replay_op<ValueOp::name, kCheckAnomaly>(*instruction, previous); \
    break;
      AG_REPLAY_OP(kAdd)
      AG_REPLAY_OP(kSub)
      AG_REPLAY_OP(kMul)
      AG_REPLAY_OP(kDiv)
      AG_REPLAY_OP(kAddConstant)
      AG_REPLAY_OP(kSubConstant)
      AG_REPLAY_OP(kConstantSub)
      AG_REPLAY_OP(kMulConstant)
      AG_REPLAY_OP(kDivConstant)
      AG_REPLAY_OP(kConstantDiv)
      AG_REPLAY_OP(kNeg)
      AG_REPLAY_OP(kPow)
      AG_REPLAY_OP(kExp)
      AG_REPLAY_OP(kLog)
      AG_REPLAY_OP(kSqrt)
      AG_REPLAY_OP(kAbs)
      AG_REPLAY_OP(kTanh)
      AG_REPLAY_OP(kSigmoid)
      AG_REPLAY_OP(kRelu)
#undef AG_REPLAY_OP
    }
  }
}

template <bool kCheckAnomaly>
void run_backward(const Segment& segment, const BackwardStep* first, const BackwardStep* last, const double* sink) {
  ValueNode* output = segment.output;
  if (segment.pending)
    output->pending = 1.0;
  else
    output->grad += 1.0;  // a leaf, or a node no earlier backward() reached: its grad was 0
  double carried = 0.0;
  for (const BackwardStep* step = first; step != last; ++step) {
    ValueNode* node = step->node;
    double gradient;
    if (step->accumulates) [[unlikely]] {
      gradient = step->carried_in ? carried : node->pending;
      node->pending = 0.0;
      node->grad += gradient;
    } else {
      gradient = step->carried_in ? carried : node->grad;
    }
    double previous_sum = 0.0;
    for (int i = 0; i < 2; ++i) {
      const double input_gradient = node->partials[i] * gradient;
      if (kCheckAnomaly && step->targets[i] != sink && !std::isfinite(input_gradient))
        fail_backward_anomaly(first, last, *step, i, input_gradient);
      // x * x sends both gradients to one target: the second adds to the first's sum, kept in a register.
      const double sum =
          (i == 1 && step->targets[0] == step->targets[1] ? previous_sum : *step->targets[i]) + input_gradient;
      *step->targets[i] = sum;
      previous_sum = sum;
      if (i == step->carry_out) carried = sum;
    }
  }
}

template <bool kCheckAnomaly>
void run(ValueTraceData& trace) {
  for (ValueNode* leaf : trace.own_leaves) leaf->grad = 0.0;
  const ForwardInstruction* forward = trace.forward.data();
  const BackwardStep* backward = trace.backward.data();
  double* const* zeroed = trace.zeroed.data();
  for (const Segment& segment : trace.segments) {
    switch (segment.kind) {
      case Segment::Kind::kForward:
        run_forward<kCheckAnomaly>(forward + segment.begin, forward + segment.end);
        break;
      case Segment::Kind::kZeroGrad:
        for (std::uint32_t i = segment.begin; i != segment.end; ++i) *zeroed[i] = 0.0;
        break;
      case Segment::Kind::kBackward:
        run_backward<kCheckAnomaly>(segment, backward + segment.begin, backward + segment.end, &trace.sink);
        break;
    }
  }
}

// Sets this thread's recording trace for the scope of the step.
class RecordingScope {
 public:
  explicit RecordingScope(ValueTraceData& trace) { tape.recording = &trace; }
  ~RecordingScope() { tape.recording = nullptr; }
  RecordingScope(const RecordingScope&) = delete;
  RecordingScope& operator=(const RecordingScope&) = delete;
};

}  // namespace

void trace_op(ValueOp op, ValueNode* result, ValueNode* a, ValueNode* b, double number) {
  tape.recording->record_op(op, result, a, b, number);
}

void trace_zero_grad(ValueNode* node) { tape.recording->record_zero_grad(node); }

void trace_leaf(ValueNode* leaf) { tape.recording->known[leaf] = Known{Role::kMadeLeaf, 0}; }

void trace_backward(ValueNode* output) { tape.recording->record_backward(output); }

}  // namespace detail

ValueTrace::ValueTrace(std::unique_ptr<detail::ValueTraceData> data) : data_(std::move(data)) {}
ValueTrace::ValueTrace(ValueTrace&&) noexcept = default;
ValueTrace& ValueTrace::operator=(ValueTrace&&) noexcept = default;
ValueTrace::~ValueTrace() = default;

detail::ValueTraceData& ValueTrace::checked(const char* what) const {
  if (!data_) fail("ValueTrace::{}: the trace is empty (moved from)", what);
  return *data_;
}

const std::vector<Value>& ValueTrace::replay() {
  detail::ValueTraceData& trace = checked("replay");
  if (trace.tape_id != detail::tape.id)
    fail(
        "ValueTrace::replay: the trace was recorded on another thread; a Value trace replays on the thread that "
        "recorded it, as its Values belong to that thread");
  if (detail::tape.recording)
    fail(
        "ValueTrace::replay: called while ag::trace_values records a step on this thread; a replay is not "
        "recorded: run the step's ops in the recorded step instead");
  for (const detail::WatchedLeaf& leaf : trace.watched)
    if (leaf.node->refcount <= leaf.references_inside) [[unlikely]]
      fail(
          "ValueTrace::replay: the trace went stale: the leaf {} that it reads is no longer held outside the trace "
          "(rebound to a new leaf, as `w = ag::Value(x)`, or dropped since the recording), so the trace would go "
          "on reading and updating a Value nobody sees. Record the trace again, or write new numbers in place "
          "(w.data() = x)",
          detail::describe(leaf.node));
  if (detail::anomaly_enabled)
    detail::run<true>(trace);
  else
    detail::run<false>(trace);
  return trace.outputs;
}

const std::vector<Value>& ValueTrace::replay(std::span<const double> inputs) {
  detail::ValueTraceData& trace = checked("replay");
  if (inputs.size() != trace.inputs.size())
    fail("ValueTrace::replay: {} inputs given; the step takes {}", inputs.size(), trace.inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) trace.inputs[i].node()->data = inputs[i];
  return replay();
}

const std::vector<Value>& ValueTrace::replay(std::initializer_list<double> inputs) {
  return replay(std::span<const double>(inputs.begin(), inputs.size()));
}

Value ValueTrace::input(std::size_t index) const {
  const detail::ValueTraceData& trace = checked("input");
  if (index >= trace.inputs.size())
    fail("ValueTrace::input: there is no input {}; the step takes {}", index, trace.inputs.size());
  return trace.inputs[index];
}

std::size_t ValueTrace::inputs_count() const { return checked("inputs_count").inputs.size(); }

const std::vector<Value>& ValueTrace::outputs() const { return checked("outputs").outputs; }

std::size_t ValueTrace::op_count() const { return checked("op_count").forward.size(); }

ValueTrace trace_values(const std::vector<double>& example_inputs, const TracedValueStep& step) {
  if (!step) fail("ag::trace_values: the step is empty (a default-constructed std::function); give it the step");
  if (detail::tape.recording)
    fail(
        "ag::trace_values: called inside a step that a trace records on this thread; traces do not nest: the "
        "inner step's ops are recorded as part of the outer one when called directly");
  auto trace = std::make_unique<detail::ValueTraceData>();
  trace->tape_id = detail::tape_id();
  std::vector<Value> outputs;
  {
    detail::RecordingScope recording(*trace);
    for (double x : example_inputs) {
      trace->inputs.emplace_back(x);
      trace->use(trace->inputs.back().node(), "an input", false);
    }
    outputs = step(trace->inputs);
  }
  trace->finish(std::move(outputs));
  return ValueTrace(std::move(trace));
}

}  // namespace ag

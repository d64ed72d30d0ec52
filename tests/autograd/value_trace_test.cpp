// ag::trace_values: a replayed step of ag::Value ops gives bitwise the numbers of the eager step, repeats its
// zero_grad() and backward() calls, refuses what it could not repeat, and says when it went stale.

#include <autograd/autograd.hpp>
#include <autograd/value_trace.hpp>

#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/tutorial_value.hpp"
#include "moons/moons.hpp"

using ag::Value;
using Catch::Contains;

namespace {

// Equal bit for bit (so NaN equals the same NaN, and 0 differs from -0).
bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

using Step = std::function<Value(const Value& x, const Value& w)>;

struct Eager {
  double output;
  double output_grad;
  double x_grad;
  double w_grad;
};

// The step `f` at (x, w) eagerly: its output, and the gradients backward() gives.
Eager eager_step(const Step& f, double x, double w) {
  Value xv(x);
  Value wv(w);
  const Value out = f(xv, wv);
  out.backward();
  return {out.data(), out.grad(), xv.grad(), wv.grad()};
}

}  // namespace

TEST_CASE("a replayed op gives bitwise the value and gradients of the eager op, for every op", "[value-trace]") {
  const std::vector<std::pair<std::string, Step>> ops = {
      {"x + w", [](const Value& x, const Value& w) { return x + w; }},
      {"x - w", [](const Value& x, const Value& w) { return x - w; }},
      {"x * w", [](const Value& x, const Value& w) { return x * w; }},
      {"x / w", [](const Value& x, const Value& w) { return x / w; }},
      {"x + 2.5", [](const Value& x, const Value& w) { return (x + 2.5) * w; }},
      {"2.5 + x", [](const Value& x, const Value& w) { return (2.5 + x) * w; }},
      {"x - 2.5", [](const Value& x, const Value& w) { return (x - 2.5) * w; }},
      {"2.5 - x", [](const Value& x, const Value& w) { return (2.5 - x) * w; }},
      {"x * 2.5", [](const Value& x, const Value& w) { return (x * 2.5) * w; }},
      {"2.5 * x", [](const Value& x, const Value& w) { return (2.5 * x) * w; }},
      {"x / 2.5", [](const Value& x, const Value& w) { return (x / 2.5) * w; }},
      {"2.5 / x", [](const Value& x, const Value& w) { return (2.5 / x) * w; }},
      {"-x", [](const Value& x, const Value& w) { return -x * w; }},
      {"pow 3", [](const Value& x, const Value& w) { return x.pow(3.0) * w; }},
      {"pow 0", [](const Value& x, const Value& w) { return x.pow(0.0) * w; }},
      {"pow -0.5", [](const Value& x, const Value& w) { return x.pow(-0.5) * w; }},
      {"exp", [](const Value& x, const Value& w) { return x.exp() * w; }},
      {"log", [](const Value& x, const Value& w) { return x.log() * w; }},
      {"sqrt", [](const Value& x, const Value& w) { return x.sqrt() * w; }},
      {"abs", [](const Value& x, const Value& w) { return x.abs() * w; }},
      {"tanh", [](const Value& x, const Value& w) { return x.tanh() * w; }},
      {"sigmoid", [](const Value& x, const Value& w) { return x.sigmoid() * w; }},
      {"relu", [](const Value& x, const Value& w) { return x.relu() * w; }},
      {"compound", [](const Value& x, const Value& w) { return (x * w + x).tanh() / (w * w + 1.0) - x.exp() * 0.1; }},
  };
  const std::vector<double> points = {0.0, -0.0, 0.7, -1.3, 2.0, 1e-200, 800.0, -800.0, INFINITY, NAN};
  for (const auto& [name, f] : ops) {
    Value w(0.0);
    ag::ValueTrace trace = ag::trace_values({0.5}, [&](const std::vector<Value>& in) {
      w.zero_grad();
      const Value out = f(in[0], w);
      out.backward();
      return std::vector<Value>{out};
    });
    for (double x : points) {
      w.data() = -0.6;
      const Value& out = trace.replay({x})[0];
      const Eager eager = eager_step(f, x, -0.6);
      INFO(name << " at x = " << x << ": replayed " << out.data() << ", eager " << eager.output);
      CHECK(same_bits(out.data(), eager.output));
      CHECK(same_bits(out.grad(), eager.output_grad));
      CHECK(same_bits(trace.input(0).grad(), eager.x_grad));
      CHECK(same_bits(w.grad(), eager.w_grad));
    }
  }
}

TEST_CASE("the replayed tutorial run ends bitwise where the eager run ends, over 10,000 steps", "[value-trace]") {
  constexpr std::int64_t kIterations = 10000;
  bench::TutorialValueRun eager;
  bench::TutorialValueRun replayed;
  const double eager_error = bench::train_with_values(kIterations, 0.1, 42, &eager);
  const double replayed_error = bench::train_with_values_replayed(kIterations, 0.1, 42, &replayed);
  CHECK(same_bits(replayed_error, eager_error));
  REQUIRE(eager.cumulative_errors.size() == 100);
  CHECK(replayed.cumulative_errors == eager.cumulative_errors);
  CHECK(replayed.parameters == eager.parameters);
  CHECK(bench::train_with_values_replayed(300, 0.1, 7) == bench::train_with_values(300, 0.1, 7));
}

TEST_CASE("replayed moons steps give bitwise the parameters, losses and accuracies of eager steps", "[value-trace]") {
  const moons::Dataset data = moons::make_moons(100, 0.1, 1);
  ag::manual_seed(2);
  const moons::TensorMLP source;
  moons::ScalarMLP eager_model(source);
  moons::ScalarMLP replayed_model(source);
  moons::ReplayedScalarStep replayed_step(replayed_model, data);
  for (std::int64_t step = 0; step < 4; ++step) {
    const double lr = moons::learning_rate_at(step, 4);
    const std::int64_t recorded_before = ag::detail::value_tape_stats().nodes_recorded;
    const moons::StepResult eager = moons::train_step(eager_model, data, lr);
    const std::int64_t nodes = ag::detail::value_tape_stats().nodes_recorded - recorded_before;
    const moons::StepResult replayed = replayed_step(lr);
    INFO("step " << step);
    CHECK(replayed_step.op_count() == static_cast<std::size_t>(nodes));
    CHECK(same_bits(replayed.loss, eager.loss));
    CHECK(replayed.accuracy == eager.accuracy);
    const auto eager_parameters = eager_model.parameters();
    const auto replayed_parameters = replayed_model.parameters();
    for (std::size_t i = 0; i < eager_parameters.size(); ++i) {
      INFO("parameter " << i);
      REQUIRE(replayed_parameters[i].data() == eager_parameters[i].data());
      REQUIRE(replayed_parameters[i].grad() == eager_parameters[i].grad());
    }
  }
}

TEST_CASE("a replay shows every recorded Value's new data and grad, as a new eager step would", "[value-trace]") {
  Value w(0.8);
  Value hidden;
  ag::ValueTrace trace = ag::trace_values({1.5}, [&](const std::vector<Value>& in) {
    hidden = (in[0] * w).tanh();
    const Value loss = (hidden - 0.25).pow(2.0);
    w.zero_grad();
    loss.backward();
    return std::vector<Value>{loss};
  });
  CHECK(trace.op_count() == 4);
  CHECK(trace.inputs_count() == 1);
  for (double x : {-0.4, 2.0, 0.3}) {
    const Value& loss = trace.replay({x})[0];
    const double h = std::tanh(x * 0.8);
    CHECK(same_bits(hidden.data(), h));
    CHECK(same_bits(loss.data(), std::pow(h - 0.25, 2.0)));
    CHECK(loss.grad() == 1.0);  // not 2, 3: the step's own Values start again at grad 0, as new ones would
    CHECK(hidden.grad() == Approx(2.0 * (h - 0.25)).epsilon(1e-15));
    CHECK(w.grad() == Approx(2.0 * (h - 0.25) * (1.0 - h * h) * x).epsilon(1e-14));
    CHECK(trace.input(0).grad() == Approx(2.0 * (h - 0.25) * (1.0 - h * h) * 0.8).epsilon(1e-14));
  }
  // The graph stays a graph: an eager backward() from a recorded Value uses the replayed partials.
  w.zero_grad();
  hidden.backward();
  CHECK(w.grad() == Approx((1.0 - std::pow(std::tanh(0.3 * 0.8), 2.0)) * 0.3).epsilon(1e-14));
}

TEST_CASE("backward() and zero_grad() inside the step are replayed in order, and leaves accumulate as eagerly",
          "[value-trace]") {
  // No zero_grad of w in the step: its gradient accumulates over replays as over eager steps; two backward() calls
  // add twice; b is zeroed between them, so it ends with the second call's gradient only.
  const auto step = [](const Value& x, Value& w, Value& b) {
    const Value y = (x * w + b).sigmoid();
    y.backward();
    b.zero_grad();
    (y * y).backward();
    return y;
  };
  Value eager_w(0.3), eager_b(-0.2), replayed_w(0.3), replayed_b(-0.2);
  ag::ValueTrace trace = ag::trace_values(
      {1.0}, [&](const std::vector<Value>& in) { return std::vector<Value>{step(in[0], replayed_w, replayed_b)}; });
  const Value first_x(1.0);
  step(first_x, eager_w, eager_b);  // the recording was a real step
  for (double x : {0.5, -2.0, 1.25}) {
    const Value eager_x(x);
    const Value eager_y = step(eager_x, eager_w, eager_b);
    const Value& replayed_y = trace.replay({x})[0];
    CHECK(same_bits(replayed_y.data(), eager_y.data()));
    CHECK(same_bits(replayed_y.grad(), eager_y.grad()));
    CHECK(same_bits(replayed_w.grad(), eager_w.grad()));
    CHECK(same_bits(replayed_b.grad(), eager_b.grad()));
    CHECK(same_bits(trace.input(0).grad(), eager_x.grad()));
  }
}

TEST_CASE("a step under NoGradGuard replays its forward only; backward() from a leaf adds 1", "[value-trace]") {
  Value w(2.0);
  ag::ValueTrace trace = ag::trace_values({3.0}, [&](const std::vector<Value>& in) {
    ag::NoGradGuard no_grad;
    Value product = in[0] * w;
    w.backward();
    return std::vector<Value>{product};
  });
  CHECK(w.grad() == 1.0);
  CHECK(trace.replay({5.0})[0].data() == 10.0);
  CHECK(w.grad() == 2.0);
  CHECK(trace.input(0).grad() == 0.0);
}

TEST_CASE("a trace holds its nodes, frees them with itself, and lets eager steps around it run", "[value-trace]") {
  const std::int64_t live_before = ag::detail::value_tape_stats().live_nodes;
  {
    Value w(0.5);
    ag::ValueTrace trace = ag::trace_values({1.0}, [&](const std::vector<Value>& in) {
      Value sum(0.0);
      for (int i = 0; i < 1000; ++i) sum = sum + in[0] * w;  // every intermediate dropped by the step
      return std::vector<Value>{};
    });
    CHECK(ag::detail::value_tape_stats().live_nodes == live_before + 2000);
    CHECK(trace.outputs().empty());
    for (int i = 0; i < 3; ++i) {
      trace.replay({2.0});
      const Value eager = (w * 3.0).exp();  // eager ops between replays use the tape as usual
      CHECK(eager.data() == std::exp(1.5));
    }
    ag::ValueTrace moved = std::move(trace);
    CHECK(moved.op_count() == 2000);
    CHECK_THROWS_WITH(trace.replay(), Contains("ValueTrace::replay") && Contains("moved from"));
  }
  CHECK(ag::detail::value_tape_stats().live_nodes == live_before);
}

TEST_CASE("a branch on data() inside the step is fixed at recording, as documented", "[value-trace]") {
  ag::ValueTrace trace = ag::trace_values({1.0}, [](const std::vector<Value>& in) {
    return std::vector<Value>{in[0].data() > 0.0 ? in[0] * 2.0 : -in[0]};
  });
  CHECK(trace.replay({-3.0})[0].data() == -6.0);  // eagerly 3: the trace repeats the branch it recorded
}

TEST_CASE("a trace goes stale when a leaf it reads is rebound, and says so; a write in place is read",
          "[value-trace][errors]") {
  Value w(2.0);
  ag::ValueTrace trace = ag::trace_values({1.0}, [&](const std::vector<Value>& in) {
    const Value y = in[0] * w;
    y.backward();
    return std::vector<Value>{y};
  });
  w.data() = 3.0;
  CHECK(trace.replay({2.0})[0].data() == 6.0);
  Value kept = w;
  w = Value(4.0);                               // kept still holds the leaf the trace reads: not stale
  CHECK(trace.replay({2.0})[0].data() == 6.0);  // reads kept's leaf, not w's new one
  CHECK(w.grad() == 0.0);
  kept = Value();
  CHECK_THROWS_WITH(trace.replay({2.0}), Contains("ValueTrace::replay") && Contains("stale") &&
                                             Contains("Value(data=3") && Contains("Record the trace again"));
}

TEST_CASE("trace_values refuses what a replay could not repeat, naming it, and keeps nothing",
          "[value-trace][errors]") {
  const std::int64_t live_before = ag::detail::value_tape_stats().live_nodes;
  Value w(0.5);
  const Value before = w * 2.0;  // computed before any recording
  const auto records = [](const std::function<void(const std::vector<Value>&)>& body) {
    return ag::trace_values({1.0}, [&](const std::vector<Value>& in) {
      body(in);
      return std::vector<Value>{};
    });
  };

  CHECK_THROWS_WITH(ag::trace_values({}, ag::TracedValueStep{}), Contains("ag::trace_values") && Contains("empty"));
  CHECK_THROWS_WITH(records([&](const auto& in) { (void)(in[0] * before); }),
                    Contains("ag::trace_values: the op '*' inside the step reads Value(data=1, grad=0, op=*)") &&
                        Contains("computed before the recording"));
  CHECK_THROWS_WITH(
      records([&](const auto&) { before.backward(); }),
      Contains("backward() inside the step from Value(data=1") && Contains("computed before the recording"));
  CHECK_THROWS_WITH(records([&](const auto&) { Value(before).zero_grad(); }),
                    Contains("zero_grad() inside the step on") && Contains("computed before the recording"));
  CHECK_THROWS_WITH(records([&](const auto& in) {
                      (in[0] * w).backward();
                      w.data() -= 0.1 * w.grad();
                    }),
                    Contains("wrote the data() of a leaf it reads, Value(data=0.4") && Contains("after replay()"));
  CHECK(w.data() == 0.4);  // the recording was a real step
  w.data() = 0.5;
  CHECK_THROWS_WITH(records([&](const auto&) { records([](const auto&) {}); }), Contains("traces do not nest"));
  ag::ValueTrace other = records([&](const auto& in) { (void)(in[0] * w); });
  CHECK_THROWS_WITH(records([&](const auto&) { other.replay(); }),
                    Contains("ValueTrace::replay: called while ag::trace_values records"));
  CHECK_THROWS_WITH(records([](const auto&) { throw std::runtime_error("the step's own error"); }),
                    Contains("the step's own error"));
  CHECK_THROWS_WITH(other.replay({1.0, 2.0}), Contains("2 inputs given; the step takes 1"));
  CHECK_THROWS_WITH(other.input(1), Contains("ValueTrace::input: there is no input 1; the step takes 1"));

  Value elsewhere;
  std::thread([&] { elsewhere = Value(1.0); }).join();
  CHECK_THROWS_WITH(records([&](const auto& in) { (void)(in[0] + elsewhere); }),
                    Contains("+: an input") && Contains("another thread"));
  CHECK_THROWS_WITH(records([&](const auto&) { elsewhere.zero_grad(); }),
                    Contains("zero_grad() inside the step on") && Contains("another thread"));
  std::string replayed_elsewhere;
  std::thread([&] {
    try {
      other.replay();
    } catch (const ag::Error& error) {
      replayed_elsewhere = error.what();
    }
  }).join();
  CHECK_THAT(replayed_elsewhere, Contains("ValueTrace::replay: the trace was recorded on another thread"));

  // After every refused recording this thread records again, and nothing the refused ones held is left.
  CHECK(records([&](const auto& in) { (void)(in[0] * w); }).replay({3.0}).empty());
  elsewhere = Value();
  other = records([](const auto&) {});
  CHECK(ag::detail::value_tape_stats().live_nodes == live_before + 1);  // `before`
}

TEST_CASE("under anomaly mode a replay names the op of a NaN or Inf and leaves the trace usable",
          "[value-trace][errors]") {
  Value w(1.0);
  ag::ValueTrace logs = ag::trace_values({4.0}, [&](const std::vector<Value>& in) {
    const Value logarithm = (in[0] * w).log();
    const Value y = logarithm + (in[0] * w).sqrt();
    y.backward();
    return std::vector<Value>{y};
  });
  ag::ValueTrace root = ag::trace_values({4.0}, [&](const std::vector<Value>& in) {
    const Value y = (in[0] * w).sqrt();
    y.backward();
    return std::vector<Value>{y};
  });
  {
    ag::DetectAnomalyGuard anomaly;
    CHECK_THROWS_WITH(logs.replay({-1.0}), Contains("anomaly: the forward of 'log' produced") &&
                                               Contains("nan from -1") && Contains("replay of a ValueTrace"));
    CHECK_THROWS_WITH(logs.replay({0.0}), Contains("the forward of 'log' produced -inf"));
    CHECK_THROWS_WITH(root.replay({0.0}), Contains("anomaly: the backward of 'sqrt'") && Contains("inf"));
  }
  CHECK(std::isnan(logs.replay({-1.0})[0].data()));  // off: NaN passes through
  w.zero_grad();
  CHECK(root.replay({4.0})[0].data() == 2.0);  // the failed backward left no gradient pending
  CHECK(w.grad() == 1.0);
  ag::DetectAnomalyGuard anomaly;
  w.zero_grad();
  CHECK(logs.replay({1.0})[0].data() == 1.0);
  CHECK(w.grad() == 1.5);
}

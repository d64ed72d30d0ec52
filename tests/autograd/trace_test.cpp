// ag::trace and ag::Trace: what a recording refuses, how a replay checks its inputs and its state, and the
// steady-state rule for gradients that accumulate.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {

using ag::Tensor;
using Tensors = std::vector<Tensor>;

// The documentation's custom op: its values computed inside ag::run_kernel.
Tensor cube(const Tensor& x) {
  Tensor out = ag::empty(x.shape(), ag::kFloat64);
  ag::run_kernel(
      "cube",
      [](const Tensor& x, Tensor& out) {
        const double* px = x.data<double>();
        double* po = out.mutable_data<double>();
        for (std::int64_t i = 0; i < x.numel(); ++i) po[i] = px[i] * px[i] * px[i];
      },
      x, out);
  return ag::make_op("cube", out, {x}, [](ag::BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    ctx.add_grad(0, grad * 3.0 * x * x);
  });
}

// The same op writing its values directly: fine eagerly, refused while a trace records.
Tensor cube_without_kernel(const Tensor& x) {
  Tensor out = ag::empty(x.shape(), ag::kFloat64);
  double* po = out.mutable_data<double>();
  for (std::int64_t i = 0; i < x.numel(); ++i) po[i] = x.data<double>()[i] * x.data<double>()[i] * x.data<double>()[i];
  return out;
}

}  // namespace

TEST_CASE("a custom op computing its values in run_kernel replays with new input values", "[trace]") {
  ag::Trace trace =
      ag::trace({ag::tensor({1.0, 2.0}, ag::kFloat64)}, [](const Tensors& in) { return Tensors{cube(in[0]) + 1.0}; });
  CHECK(trace.outputs()[0].to_vector() == std::vector<double>{2.0, 9.0});
  CHECK(trace.replay({ag::tensor({3.0, -1.0}, ag::kFloat64)})[0].to_vector() == std::vector<double>{28.0, 0.0});
  CHECK(trace.kernel_count() >= 2);  // cube, add (and the 1.0 made a tensor)
  CHECK(trace.inputs_count() == 1);
}

TEST_CASE("writing values outside run_kernel while recording is refused, naming the last kernel", "[trace]") {
  const Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  CHECK(cube_without_kernel(x).to_vector() == std::vector<double>{1.0, 8.0});
  CHECK_THROWS_WITH(ag::trace({x}, [](const Tensors& in) { return Tensors{cube_without_kernel(in[0] * 2.0)}; }),
                    Catch::Contains("mutable_data() outside ag::run_kernel") && Catch::Contains("after kernel 'mul'"));
  // The failed recording left the thread as it was.
  CHECK(cube_without_kernel(x).to_vector() == std::vector<double>{1.0, 8.0});
}

TEST_CASE("reading a value back while recording is refused: it would be fixed into every replay", "[trace]") {
  const Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  const auto refused = [&](auto read) {
    CHECK_THROWS_WITH(ag::trace({x},
                                [&](const Tensors& in) {
                                  read(in[0]);
                                  return Tensors{in[0]};
                                }),
                      Catch::Contains("data-dependent control flow"));
  };
  refused([](const Tensor& t) { return t.sum().item(); });
  refused([](const Tensor& t) { return t.to_vector(); });
  refused([](const Tensor& t) { return t.at({0}); });
}

TEST_CASE("a trace does not record another, nor replay while recording", "[trace]") {
  const Tensor x = ag::tensor({1.0}, ag::kFloat64);
  ag::Trace inner = ag::trace({x}, [](const Tensors& in) { return Tensors{in[0] * 2.0}; });
  CHECK_THROWS_WITH(ag::trace({x}, [&](const Tensors& in) { return inner.replay(in); }),
                    Catch::Contains("while a trace is being recorded"));
  CHECK_THROWS_WITH(ag::trace({x},
                              [&](const Tensors& in) {
                                ag::trace(in, [](const Tensors& again) { return again; });
                                return in;
                              }),
                    Catch::Contains("one trace does not record another"));
}

TEST_CASE("a trace's inputs are its own copies, checked on each replay", "[trace]") {
  Tensor example = ag::tensor({1.0, 2.0}, ag::kFloat64);
  ag::Trace trace = ag::trace({example}, [](const Tensors& in) { return Tensors{in[0] * in[0]}; });
  trace.replay({ag::tensor({5.0, 6.0}, ag::kFloat64)});
  CHECK(example.to_vector() == std::vector<double>{1.0, 2.0});
  trace.input(0).mutable_data<double>()[1] = 3.0;  // written in place, then replayed without a copy
  CHECK(trace.replay()[0].to_vector() == std::vector<double>{25.0, 9.0});
  CHECK_THROWS_WITH(trace.input(1), Catch::Contains("no input 1"));
  CHECK_THROWS_WITH(trace.replay({ag::tensor({1.0, 2.0})}), Catch::Contains("dtype float32"));
  CHECK_THROWS_WITH(trace.replay({Tensor()}), Catch::Contains("input 0 is an undefined tensor"));
  CHECK_THROWS_WITH(ag::trace({Tensor()}, [](const Tensors& in) { return in; }),
                    Catch::Contains("example input 0 is an undefined tensor"));
  CHECK_THROWS_WITH(ag::trace({example}, ag::TracedStep()), Catch::Contains("empty function"));
  ag::Trace moved = std::move(trace);
  CHECK_THROWS_WITH(trace.replay(), Catch::Contains("moved from"));
  CHECK(moved.replay()[0].to_vector() == std::vector<double>{25.0, 9.0});
}

TEST_CASE("a step whose gradients accumulate is recorded again once they exist, then replays as eager steps",
          "[trace]") {
  Tensor traced_w = ag::tensor({0.5, -1.0}, ag::kFloat64).requires_grad_();
  Tensor eager_w = ag::tensor({0.5, -1.0}, ag::kFloat64).requires_grad_();
  const auto step = [](const Tensor& w, const Tensor& x) {
    Tensor loss = (cube(w) * x).sum();
    loss.backward();  // no zero_grad: the gradient accumulates over steps
    return loss;
  };
  const Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  ag::Trace trace = ag::trace({x}, [&](const Tensors& in) { return Tensors{step(traced_w, in[0])}; });
  CHECK(trace.recordings() == 2);  // the first run created the gradient the second adds to
  step(eager_w, x);
  step(eager_w, x);
  for (int i = 0; i < 3; ++i) {
    const Tensor xi = ag::tensor({1.0 + i, -2.0 * i}, ag::kFloat64);
    trace.replay({xi});
    step(eager_w, xi);
    CHECK(traced_w.grad().to_vector() == eager_w.grad().to_vector());
  }
}

TEST_CASE("a step that drops its gradients first is recorded once", "[trace]") {
  Tensor w = ag::tensor({0.5, -1.0}, ag::kFloat64).requires_grad_();
  ag::Trace trace = ag::trace({ag::tensor({1.0, 2.0}, ag::kFloat64)}, [&](const Tensors& in) {
    w.zero_grad();
    Tensor loss = (cube(w) * in[0]).sum();
    loss.backward();
    return Tensors{loss};
  });
  CHECK(trace.recordings() == 1);
  trace.replay({ag::tensor({3.0, 1.0}, ag::kFloat64)});
  CHECK(w.grad().to_vector() == std::vector<double>{3.0 * 3 * 0.25, 1.0 * 3 * 1.0});
  w.zero_grad();
  CHECK_THROWS_WITH(trace.replay(), Catch::Contains("was dropped since the trace was recorded"));
}

TEST_CASE("a step that throws while recording gives no trace and leaves the thread as it was", "[trace]") {
  CHECK_THROWS_WITH(
      ag::trace({ag::tensor({1.0})}, [](const Tensors&) -> Tensors { throw ag::Error("the step failed"); }),
      Catch::Contains("the step failed"));
  Tensor x = ag::tensor({1.0});
  x.mutable_data<float>()[0] = 2.0f;
  CHECK(x.item() == 2.0);
}

TEST_CASE("a step may return no outputs, or an undefined one, which stays undefined", "[trace]") {
  CHECK(ag::trace({}, [](const Tensors&) { return Tensors{}; }).outputs().empty());
  ag::Trace trace = ag::trace({}, [](const Tensors&) { return Tensors{Tensor()}; });
  CHECK_FALSE(trace.replay()[0].defined());
}

// Replays of traced elementwise ops (arithmetic, math, activations, clamp, comparisons, where, conversions, dropout and
// the in-place updates) give bitwise what eager steps give.

#include <autograd/autograd.hpp>
#include <autograd/ops/dropout.hpp>

#include <catch2/catch.hpp>

#include "trace_check.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace {

using Inputs = std::vector<ag::Tensor>;

// Values in [low, high) that require grad when floating point; int64 values are whole numbers in [low, high).
ag::Tensor values(const ag::Shape& shape, ag::DType dtype, double low = -2.0, double high = 2.0) {
  ag::Tensor drawn = ag::rand(shape, ag::kFloat64) * (high - low) + low;
  if (dtype == ag::kInt64) return drawn.to(ag::kInt64);
  return drawn.to(dtype).requires_grad_();
}

ag::Tensor positive(const ag::Shape& shape, ag::DType dtype) { return values(shape, dtype, 0.5, 2.0); }

// Values for an input that gets no gradient (a condition, a comparison's operand): the check wants a gradient for
// every input that requires grad.
ag::Tensor constant(const ag::Shape& shape, ag::DType dtype) { return values(shape, dtype).detach(); }

// Checks f with fresh inputs from make(shape) for each shape, recorded on one draw and replayed on another.
void check_shapes(const TracedFunction& f, const std::vector<std::vector<ag::Shape>>& shapes, ag::DType dtype,
                  ag::Tensor (*make)(const ag::Shape&, ag::DType)) {
  for (const std::vector<ag::Shape>& each : shapes) {
    Inputs recorded;
    Inputs replayed;
    for (const ag::Shape& shape : each) {
      recorded.push_back(make(shape, dtype));
      replayed.push_back(make(shape, dtype));
    }
    INFO("dtype " << ag::dtype_name(dtype) << ", first shape " << fmt::format("{}", each[0]));
    check_replay_matches_eager(f, recorded, replayed);
  }
}

ag::Tensor any_values(const ag::Shape& shape, ag::DType dtype) { return values(shape, dtype); }

const std::vector<std::vector<ag::Shape>> kUnaryShapes = {{{}}, {{5}}, {{2, 1, 3}}};
const std::vector<std::vector<ag::Shape>> kBinaryShapes = {{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{3, 1}, {1, 4}},
                                                           {{}, {2, 3}},     {{2, 3}, {}},  {{}, {}}};

const std::vector<ag::DType> kFloating = {ag::kFloat32, ag::kFloat64};

// d(sum(op(x) * x))/dx with create_graph, so that the replayed step also runs each op's create_graph backward. Grad
// mode is on also where the check evaluates f under NoGradGuard.
TracedFunction second_order(std::function<ag::Tensor(const ag::Tensor&)> op) {
  return [op](const Inputs& in) {
    ag::AutoGradMode enabled(true);
    return ag::grad({ag::sum(op(in[0]) * in[0])}, {in[0]}, {.create_graph = true})[0];
  };
}

}  // namespace

TEST_CASE("traced binary arithmetic replays like eager, broadcasting and in both float dtypes",
          "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"add", [](const Inputs& in) { return in[0] + in[1]; }},
      {"sub", [](const Inputs& in) { return in[0] - in[1]; }},
      {"mul", [](const Inputs& in) { return in[0] * in[1]; }},
      {"div", [](const Inputs& in) { return in[0] / in[1]; }},
      {"pow", [](const Inputs& in) { return ag::pow(in[0], in[1]); }},
      {"maximum", [](const Inputs& in) { return ag::maximum(in[0], in[1]); }},
      {"minimum", [](const Inputs& in) { return ag::minimum(in[0], in[1]); }},
  };
  for (const auto& [name, f] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name);
      check_shapes(f, kBinaryShapes, dtype, positive);
    }
}

TEST_CASE("traced arithmetic with numbers, negation and powers replays like eager", "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"x + 2", [](const Inputs& in) { return in[0] + 2.0; }},
      {"2 - x", [](const Inputs& in) { return 2.0 - in[0]; }},
      {"x * 3", [](const Inputs& in) { return in[0] * 3; }},
      {"1 / x", [](const Inputs& in) { return 1.0 / in[0]; }},
      {"x / 4", [](const Inputs& in) { return in[0] / 4.0; }},
      {"-x", [](const Inputs& in) { return -in[0]; }},
      {"x^2", [](const Inputs& in) { return ag::pow(in[0], 2.0); }},
      {"x^3", [](const Inputs& in) { return in[0].pow(3.0); }},
      {"x^0", [](const Inputs& in) { return ag::pow(in[0], 0.0); }},
      {"x^-1.5", [](const Inputs& in) { return ag::pow(in[0], -1.5); }},
      {"x^y", [](const Inputs& in) { return in[0].pow(in[0] * 0.5); }},
  };
  for (const auto& [name, f] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name);
      check_shapes(f, kUnaryShapes, dtype, positive);
    }
}

TEST_CASE("traced ops on mixed dtypes replay their conversions like eager", "[trace][trace-elementwise]") {
  const TracedFunction promoted = [](const Inputs& in) {
    return in[0] * in[1] + in[1] / in[0] - ag::pow(in[0], in[1]);
  };
  check_replay_matches_eager(promoted, {positive({2, 3}, ag::kFloat32), positive({}, ag::kFloat64)},
                             {positive({2, 3}, ag::kFloat32), positive({}, ag::kFloat64)});
  INFO("a float tensor times a bool mask, same shape and broadcast");
  const TracedFunction masked = [](const Inputs& in) { return in[0] * (in[0] > 0.0) + (in[1] < 0.5) * in[0]; };
  check_replay_matches_eager(masked, {values({2, 3}, ag::kFloat32), constant({3}, ag::kFloat32)},
                             {values({2, 3}, ag::kFloat32), constant({3}, ag::kFloat32)});
  INFO("an int64 tensor with a float one");
  const TracedFunction with_integers = [](const Inputs& in) { return in[0] * in[1] + ag::maximum(in[1], in[0]); };
  check_replay_matches_eager(with_integers, {values({2, 3}, ag::kFloat64), values({2, 3}, ag::kInt64, -5, 5)},
                             {values({2, 3}, ag::kFloat64), values({2, 3}, ag::kInt64, -5, 5)});
}

TEST_CASE("traced int64 arithmetic, clamp and true division replay like eager", "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"add sub mul neg", [](const Inputs& in) { return -(in[0] + in[1]) * in[1] - in[0] * 3; }},
      {"div", [](const Inputs& in) { return in[0] / (in[1] * in[1] + 1); }},
      {"abs", [](const Inputs& in) { return ag::abs(in[0] - in[1]); }},
      {"clamp", [](const Inputs& in) { return ag::clamp(in[0], -2.0, 3.0) + ag::clamp_min(in[1], 0.0); }},
      {"maximum minimum", [](const Inputs& in) { return ag::maximum(in[0], in[1]) * ag::minimum(in[0], 1); }},
  };
  for (const auto& [name, f] : ops) {
    INFO(name);
    check_replay_matches_eager(f, {values({2, 3}, ag::kInt64, -9, 9), values({3}, ag::kInt64, -9, 9)},
                               {values({2, 3}, ag::kInt64, -9, 9), values({3}, ag::kInt64, -9, 9)});
  }
}

TEST_CASE("traced math ops and activations replay like eager", "[trace][trace-elementwise]") {
  using Unary = std::function<ag::Tensor(const ag::Tensor&)>;
  const std::vector<std::tuple<std::string, Unary, bool>> ops = {
      {"exp", [](const ag::Tensor& x) { return ag::exp(x); }, false},
      {"log", [](const ag::Tensor& x) { return x.log(); }, true},
      {"sqrt", [](const ag::Tensor& x) { return x.sqrt(); }, true},
      {"abs", [](const ag::Tensor& x) { return x.abs(); }, false},
      {"log1p", [](const ag::Tensor& x) { return x.log1p(); }, true},
      {"expm1", [](const ag::Tensor& x) { return x.expm1(); }, false},
      {"erf", [](const ag::Tensor& x) { return x.erf(); }, false},
      {"sigmoid", [](const ag::Tensor& x) { return x.sigmoid(); }, false},
      {"tanh", [](const ag::Tensor& x) { return x.tanh(); }, false},
      {"relu", [](const ag::Tensor& x) { return x.relu(); }, false},
      {"softplus", [](const ag::Tensor& x) { return ag::softplus(x); }, false},
      {"softplus beta 2 threshold 1", [](const ag::Tensor& x) { return ag::softplus(x, 2.0, 1.0); }, false},
      {"gelu", [](const ag::Tensor& x) { return ag::gelu(x); }, false},
      {"gelu tanh", [](const ag::Tensor& x) { return ag::gelu(x, "tanh"); }, false},
      {"silu", [](const ag::Tensor& x) { return ag::silu(x); }, false},
      {"clamp", [](const ag::Tensor& x) { return x.clamp(-0.5, 1.0); }, false},
      {"clamp_min", [](const ag::Tensor& x) { return x.clamp_min(0.25); }, false},
      {"clamp_max", [](const ag::Tensor& x) { return ag::clamp_max(x, -0.25); }, false},
  };
  for (const auto& [name, op, needs_positive] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name);
      check_shapes([op](const Inputs& in) { return op(in[0]); }, kUnaryShapes, dtype,
                   needs_positive ? positive : any_values);
      INFO("its create_graph backward, differentiated again");
      check_shapes(second_order(op), {{{2, 3}}}, dtype, needs_positive ? positive : any_values);
    }
}

TEST_CASE("traced create_graph backwards of binary ops replay like eager", "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"mul div", [](const Inputs& in) { return in[0] * in[1] / (in[0] + in[1]); }},
      {"pow", [](const Inputs& in) { return ag::pow(in[0], in[1]) + ag::pow(in[1], 2.0); }},
      {"maximum minimum", [](const Inputs& in) { return ag::maximum(in[0], in[1]) - ag::minimum(in[0], in[1]); }},
      {"where", [](const Inputs& in) { return ag::where(in[0] > in[1], in[0] * in[0], in[1]); }},
      {"masked_fill", [](const Inputs& in) { return (in[0] * in[1]).masked_fill(in[1] > 1.0, 0.5); }},
  };
  for (const auto& [name, op] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name);
      const TracedFunction f = [op](const Inputs& in) {
        ag::AutoGradMode enabled(true);
        const std::vector<ag::Tensor> grads =
            ag::grad({ag::sum(op(in) * in[0])}, {in[0], in[1]}, {.create_graph = true});
        return grads[0] * grads[1];
      };
      check_shapes(f, {{{2, 3}, {3}}}, dtype, positive);
    }
}

TEST_CASE("traced comparisons produce bool tensors that replay like eager", "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"eq", [](const Inputs& in) { return ag::eq(in[0], in[1].clamp_max(0.0)); }},
      {"ne", [](const Inputs& in) { return in[0] != in[1].clamp_max(0.0); }},
      {"lt", [](const Inputs& in) { return in[0] < in[1]; }},
      {"le", [](const Inputs& in) { return in[0] <= in[1]; }},
      {"gt", [](const Inputs& in) { return in[0] > in[1]; }},
      {"ge", [](const Inputs& in) { return in[0] >= in[1]; }},
      {"with numbers", [](const Inputs& in) { return (in[0] > 0.5) == (1.0 >= in[1]); }},
  };
  for (const auto& [name, f] : ops) {
    INFO(name);
    for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64, ag::kInt64})
      check_shapes(f, kBinaryShapes, dtype, constant);
  }
  INFO("a float32 tensor against a 0-d float64 one, and against int64");
  const TracedFunction mixed = [](const Inputs& in) { return (in[0] < in[1]) == (in[2] > in[0]); };
  const auto mixed_inputs = [] {
    return Inputs{constant({2, 3}, ag::kFloat32), constant({}, ag::kFloat64), values({3}, ag::kInt64, -2, 2)};
  };
  check_replay_matches_eager(mixed, mixed_inputs(), mixed_inputs());
  const ag::Tensor replayed = ag::trace({values({4}, ag::kFloat32)}, [](const Inputs& in) {
                                return std::vector<ag::Tensor>{in[0] > 0.0};
                              }).outputs()[0];
  CHECK(replayed.dtype() == ag::kBool);
}

TEST_CASE("traced where and masked_fill replay like eager, broadcasting their condition and branches",
          "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, TracedFunction>> ops = {
      {"where", [](const Inputs& in) { return ag::where(in[0] > in[1], in[0], in[1]); }},
      {"where broadcast condition", [](const Inputs& in) { return ag::where(in[1] > 0.0, in[0], in[1] * 2.0); }},
      {"where number branches",
       [](const Inputs& in) { return ag::where(in[0] > 0.0, in[1], -1.0) + ag::where(in[1] < 0.0, 3, in[0]); }},
      {"masked_fill", [](const Inputs& in) { return (in[0] + in[1]).masked_fill(in[1] > 0.0, -7.0); }},
  };
  for (const auto& [name, f] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name);
      check_shapes(f, {{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{4, 1}, {}}}, dtype, any_values);
    }
  INFO("where on int64 branches, and on float32 and float64 branches");
  const TracedFunction integers = [](const Inputs& in) { return ag::where(in[0] > in[1], in[0], in[1] * 2); };
  check_replay_matches_eager(integers, {values({2, 3}, ag::kInt64, -5, 5), values({3}, ag::kInt64, -5, 5)},
                             {values({2, 3}, ag::kInt64, -5, 5), values({3}, ag::kInt64, -5, 5)});
  const TracedFunction mixed = [](const Inputs& in) { return ag::where(in[0] > 0.0, in[0], in[1]); };
  check_replay_matches_eager(mixed, {values({2, 3}, ag::kFloat32), values({}, ag::kFloat64)},
                             {values({2, 3}, ag::kFloat32), values({}, ag::kFloat64)});
}

TEST_CASE("traced to() and clone() replay like eager between every pair of dtypes", "[trace][trace-elementwise]") {
  const std::vector<ag::DType> dtypes = {ag::kFloat32, ag::kFloat64, ag::kInt64, ag::kBool};
  for (const ag::DType from : {ag::kFloat32, ag::kFloat64, ag::kInt64})
    for (const ag::DType to : dtypes) {
      INFO(ag::dtype_name(from) << " to " << ag::dtype_name(to));
      // Values with fractions and signs, so that truncation toward zero and the test for non-zero show.
      const TracedFunction f = [to](const Inputs& in) { return in[0].to(to); };
      // Integer and bool results carry no gradient, so their input asks for none.
      const auto input = [from, to] {
        const ag::Tensor x = values({2, 3}, from, -3, 3);
        return ag::is_floating_point(to) ? x : x.detach();
      };
      check_replay_matches_eager(f, {input()}, {input()});
    }
  const TracedFunction from_bool = [](const Inputs& in) { return (in[0] > 0.0).to(ag::kFloat32) * in[0]; };
  check_replay_matches_eager(from_bool, {values({5}, ag::kFloat32)}, {values({5}, ag::kFloat32)});
  const TracedFunction round_trip = [](const Inputs& in) { return in[0].to(ag::kFloat64).to(ag::kFloat32) * in[0]; };
  check_replay_matches_eager(round_trip, {values({5}, ag::kFloat32)}, {values({5}, ag::kFloat32)});
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64, ag::kInt64}) {
    INFO("clone " << ag::dtype_name(dtype));
    const TracedFunction f = [](const Inputs& in) { return in[0].clone() * in[0]; };
    check_replay_matches_eager(f, {values({2, 3}, dtype)}, {values({2, 3}, dtype)});
  }
}

namespace {

// An in-place op applied to a tensor of the step's own, made from its inputs without grad.
using InPlace = std::function<void(ag::Tensor& target, const ag::Tensor& x, const ag::Tensor& y)>;

// The step: t = x + y (no grad), the in-place op on t, then t * x, so that the result carries a gradient to x (y is
// a constant).
TracedFunction in_place_step(const InPlace& op) {
  return [op](const Inputs& in) {
    ag::Tensor target = (in[0] + in[1]).detach();
    op(target, in[0].detach(), in[1].detach());
    return target * in[0];
  };
}

}  // namespace

TEST_CASE("traced steps with each in-place op replay like eager", "[trace][trace-elementwise]") {
  const std::vector<std::pair<std::string, InPlace>> ops = {
      {"fill_", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor&) { t.fill_(0.75); }},
      {"zero_", [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.zero_().add_(x); }},
      {"copy_", [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.copy_(x * 3.0); }},
      {"copy_ broadcast", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor& y) { t.copy_(y); }},
      {"copy_ from int64",
       [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.copy_((x * 4.0).to(ag::kInt64)); }},
      {"copy_ from bool", [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.copy_(x > 0.0); }},
      {"add_", [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.add_(x); }},
      {"add_ alpha broadcast", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor& y) { t.add_(y, -0.3); }},
      {"sub_", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor& y) { t.sub_(y); }},
      {"mul_", [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor&) { t.mul_(x); }},
      {"mul_ number", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor&) { t.mul_(-1.25); }},
      {"div_", [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor& y) { t.div_(y); }},
      {"+= -= *= /=",
       [](ag::Tensor& t, const ag::Tensor& x, const ag::Tensor& y) {
         t += x;
         t -= y;
         t *= x;
         t /= y;
       }},
      {"+= -= *= /= numbers",
       [](ag::Tensor& t, const ag::Tensor&, const ag::Tensor&) {
         t += 1.5;
         t -= 0.25;
         t *= 3;
         t /= 7.0;
       }},
  };
  for (const auto& [name, op] : ops)
    for (const ag::DType dtype : kFloating) {
      INFO(name << " on " << ag::dtype_name(dtype));
      check_replay_matches_eager(in_place_step(op), {positive({2, 3}, dtype), positive({3}, dtype).detach()},
                                 {positive({2, 3}, dtype), positive({3}, dtype).detach()});
    }
  INFO("int64 in-place updates");
  const TracedFunction integers = [](const Inputs& in) {
    ag::Tensor t = in[0].clone();
    t.add_(in[1], 2.0).sub_(in[0]).mul_(in[1]);
    t.mul_(3.0);
    t.copy_(t + 1);
    return t;
  };
  check_replay_matches_eager(integers, {values({2, 3}, ag::kInt64, -5, 5), values({3}, ag::kInt64, -5, 5)},
                             {values({2, 3}, ag::kInt64, -5, 5), values({3}, ag::kInt64, -5, 5)});
}

TEST_CASE("traced in-place updates of state outside the step replay like eager steps, one after another",
          "[trace][trace-elementwise]") {
  // An optimiser-like step: a weight that requires grad, updated under NoGradGuard, with a momentum buffer.
  const auto step = [](ag::Tensor& weight, ag::Tensor& momentum, const ag::Tensor& x) {
    weight.zero_grad();
    const ag::Tensor loss = ag::sum(ag::pow(weight * x - 1.0, 2.0));
    loss.backward();
    ag::NoGradGuard no_grad;
    momentum.mul_(0.9).add_(weight.grad());
    weight.add_(momentum, -0.05);
    return loss;
  };
  const ag::Tensor start = values({4}, ag::kFloat64);
  std::vector<ag::Tensor> batches;
  for (int i = 0; i < 5; ++i) batches.push_back(values({4}, ag::kFloat64).detach());

  ag::Tensor eager_weight = start.detach().clone().requires_grad_();
  ag::Tensor eager_momentum = ag::zeros({4}, ag::kFloat64);
  std::vector<ag::Tensor> eager_losses;
  for (const ag::Tensor& x : batches) eager_losses.push_back(step(eager_weight, eager_momentum, x));

  ag::Tensor weight = start.detach().clone().requires_grad_();
  ag::Tensor momentum = ag::zeros({4}, ag::kFloat64);
  ag::Trace trace =
      ag::trace({batches[0]}, [&](const Inputs& in) { return std::vector<ag::Tensor>{step(weight, momentum, in[0])}; });
  REQUIRE(trace.recordings() == 1);
  CHECK(trace.outputs()[0].to_vector() == eager_losses[0].to_vector());
  for (std::size_t i = 1; i < batches.size(); ++i) {
    INFO("replay " << i);
    CHECK(trace.replay({batches[i]})[0].to_vector() == eager_losses[i].to_vector());
  }
  CHECK(weight.to_vector() == eager_weight.to_vector());
  CHECK(momentum.to_vector() == eager_momentum.to_vector());
  CHECK(weight.grad().to_vector() == eager_weight.grad().to_vector());
}

namespace {

// The dropout step: y = dropout(x) weighted, its sum's gradient for x, and the mask's zeros read from y.
std::vector<ag::Tensor> dropout_step(const ag::Tensor& x, double p) {
  const ag::Tensor y = ag::dropout(x, p);
  ag::sum(y * ag::arange(static_cast<double>(x.numel()), x.dtype())).backward();
  return {y, x.grad()};
}

}  // namespace

TEST_CASE("traced dropout draws a new mask at each replay, as many eager steps from the same seed do",
          "[trace][trace-elementwise]") {
  for (const ag::DType dtype : kFloating)
    for (const double p : {0.5, 0.2, 1.0}) {
      INFO(ag::dtype_name(dtype) << ", p = " << p);
      const ag::Tensor x = positive({64}, dtype);
      const int replays = 3;

      ag::manual_seed(77);
      std::vector<std::vector<ag::Tensor>> eager;
      for (int i = 0; i <= replays; ++i) {
        ag::Tensor own = x.detach().clone().requires_grad_();
        eager.push_back(dropout_step(own, p));
      }

      ag::manual_seed(77);
      ag::Trace trace = ag::trace({x}, [p](const Inputs& in) {
        ag::Tensor input = in[0];
        input.zero_grad();
        return dropout_step(input, p);
      });
      REQUIRE(trace.recordings() == 1);
      std::vector<std::vector<double>> outputs{trace.outputs()[0].to_vector()};
      CHECK(outputs[0] == eager[0][0].to_vector());
      for (int i = 1; i <= replays; ++i) {
        INFO("replay " << i);
        const std::vector<ag::Tensor>& results = trace.replay({x.detach()});
        CHECK(results[0].to_vector() == eager[i][0].to_vector());
        CHECK(results[1].to_vector() == eager[i][1].to_vector());
        outputs.push_back(results[0].to_vector());
      }
      if (p < 1.0) CHECK(outputs[1] != outputs[2]);
    }
}

TEST_CASE("traced dropout outside training, or with p = 0, replays as the identity", "[trace][trace-elementwise]") {
  const TracedFunction off = [](const Inputs& in) { return ag::dropout(in[0], 0.5, false) * 2.0; };
  check_replay_matches_eager(off, {values({5}, ag::kFloat32)}, {values({5}, ag::kFloat32)});
  const TracedFunction zero_p = [](const Inputs& in) { return ag::dropout(in[0], 0.0) * 2.0; };
  check_replay_matches_eager(zero_p, {values({5}, ag::kFloat64)}, {values({5}, ag::kFloat64)});
}

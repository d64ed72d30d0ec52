#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using ag::Value;
using Catch::Contains;

namespace {

using Function = std::function<Value(const std::vector<Value>&)>;

// Checks the gradients backward() gives for f at `at` against central finite differences of f.
void check_gradients(const Function& f, const std::vector<double>& at) {
  std::vector<Value> inputs;
  for (double x : at) inputs.emplace_back(x);
  const Value output = f(inputs);
  output.backward();
  const auto value_at = [&](std::size_t shifted, double step) {
    std::vector<Value> moved;
    for (std::size_t j = 0; j < at.size(); ++j) moved.emplace_back(at[j] + (j == shifted ? step : 0.0));
    return f(moved).data();
  };
  CHECK(output.grad() == 1.0);
  for (std::size_t i = 0; i < at.size(); ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(at[i]));
    const double numeric = (value_at(i, h) - value_at(i, -h)) / (2 * h);
    INFO("input " << i << " of " << output.op() << " at " << at[i]);
    CHECK(inputs[i].grad() == Approx(numeric).epsilon(1e-6).margin(1e-7));
  }
}

}  // namespace

TEST_CASE("Value: every binary op's gradients match finite differences", "[value][ops]") {
  const std::vector<std::pair<const char*, Function>> ops = {
      {"+", [](const auto& in) { return in[0] + in[1]; }},
      {"-", [](const auto& in) { return in[0] - in[1]; }},
      {"*", [](const auto& in) { return in[0] * in[1]; }},
      {"/", [](const auto& in) { return in[0] / in[1]; }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    check_gradients(op, {1.5, -0.7});
    check_gradients(op, {-3.0, 2.5});
  }
}

TEST_CASE("Value: an integer makes a leaf, 0 included", "[value][ops]") {
  const Value zero(0);  // 0 is also a null pointer constant; it must not pick the node constructor
  const Value three(3L);
  CHECK(zero.defined());
  CHECK(zero.data() == 0.0);
  CHECK(std::string(zero.op()).empty());
  const Value product = zero * three + three;
  product.backward();
  CHECK(product.data() == 3.0);
  CHECK(zero.grad() == 3.0);
  STATIC_REQUIRE_FALSE(std::is_convertible_v<int, Value>);  // explicit, as Value(double)
}

TEST_CASE("Value: a number on either side of an op is a constant", "[value][ops]") {
  const std::vector<Function> ops = {
      [](const auto& in) { return in[0] + 2.5; }, [](const auto& in) { return 2.5 + in[0]; },
      [](const auto& in) { return in[0] - 2.5; }, [](const auto& in) { return 2.5 - in[0]; },
      [](const auto& in) { return in[0] * 2.5; }, [](const auto& in) { return 2.5 * in[0]; },
      [](const auto& in) { return in[0] / 2.5; }, [](const auto& in) { return 2.5 / in[0]; },
      [](const auto& in) { return -in[0]; },
  };
  for (const auto& op : ops) {
    check_gradients(op, {1.3});
    check_gradients(op, {-0.4});
  }
  CHECK((2.0 - Value(5.0)).data() == -3.0);
  CHECK((2.0 / Value(8.0)).data() == 0.25);
}

TEST_CASE("Value: compound assignment records the op and rebinds the handle", "[value][ops]") {
  check_gradients(
      [](const auto& in) {
        Value y = in[0];
        y += in[1];
        y *= in[0];
        y -= 2.0;
        y /= in[1];
        y *= 3.0;
        return y;
      },
      {1.2, -0.8});
}

TEST_CASE("Value: every function's gradient matches finite differences", "[value][ops]") {
  const std::vector<std::pair<Function, std::vector<double>>> cases = {
      {[](const auto& in) { return in[0].pow(3.0); }, {-1.2, 0.5, 2.0}},
      {[](const auto& in) { return in[0].pow(0.5); }, {0.3, 4.0}},
      {[](const auto& in) { return in[0].pow(-2.0); }, {-1.5, 0.7}},
      {[](const auto& in) { return in[0].exp(); }, {-2.0, 0.0, 1.5}},
      {[](const auto& in) { return in[0].log(); }, {0.2, 3.0}},
      {[](const auto& in) { return in[0].sqrt(); }, {0.2, 9.0}},
      {[](const auto& in) { return in[0].abs(); }, {-1.5, 0.8}},
      {[](const auto& in) { return in[0].tanh(); }, {-1.0, 0.0, 2.0}},
      {[](const auto& in) { return in[0].sigmoid(); }, {-3.0, 0.0, 1.2}},
      {[](const auto& in) { return in[0].relu(); }, {-0.5, 0.5}},
  };
  for (const auto& [f, points] : cases)
    for (double x : points) check_gradients(f, {x});
}

TEST_CASE("Value: the kinks of abs and relu have derivative 0, and log follows std::log", "[value][ops]") {
  Value zero(0.0);
  zero.relu().backward();
  zero.abs().backward();
  CHECK(zero.grad() == 0.0);
  CHECK(std::isnan(Value(-1.0).log().data()));
  CHECK(Value(0.0).log().data() == -INFINITY);
}

TEST_CASE("Value: an input used many times receives the sum of its gradients", "[value][engine]") {
  check_gradients([](const auto& in) { return in[0] * in[0]; }, {1.7});
  check_gradients([](const auto& in) { return in[0] / in[0] + in[0] - in[0] * in[0] * in[0]; }, {0.9});
  check_gradients(
      [](const auto& in) {
        const Value shared = (in[0] * in[1]).tanh();
        return shared * shared + shared.exp() * in[0] - (shared / in[1]).sigmoid();
      },
      {0.6, -1.3});
}

TEST_CASE("Value: micrograd's reference expression gives its published values", "[value][engine]") {
  Value a(-4.0);
  Value b(2.0);
  Value c = a + b;
  Value d = a * b + b.pow(3);
  c += c + 1;
  c += 1 + c + (-a);
  d += d * 2 + (b + a).relu();
  d += 3 * d + (b - a).relu();
  const Value e = c - d;
  const Value f = e.pow(2);
  Value g = f / 2.0;
  g += 10.0 / f;
  g.backward();
  CHECK(g.data() == Approx(24.70408163265306).epsilon(1e-14));
  CHECK(a.grad() == Approx(138.83381924198252).epsilon(1e-14));
  CHECK(b.grad() == Approx(645.5772594752186).epsilon(1e-14));
}

TEST_CASE("Value: gradients accumulate over backward passes on every Value until zero_grad", "[value][engine]") {
  Value x(3.0);
  const Value square = x * x;
  const Value y = square + 1.0;
  y.backward();
  y.backward();
  CHECK(x.grad() == 12.0);
  CHECK(square.grad() == 2.0);
  CHECK(y.grad() == 2.0);
  x.zero_grad();
  (x * 2.0).backward();
  CHECK(x.grad() == 2.0);
}

TEST_CASE("Value: backward of a leaf gives it gradient 1", "[value][engine]") {
  Value w(0.5);
  w.backward();
  CHECK(w.grad() == 1.0);
}

TEST_CASE("Value: backward of one graph leaves another live graph alone", "[value][engine]") {
  Value a(1.5), b(-2.0), c(0.5);
  // Built interleaved, so that the two graphs' nodes alternate on the tape.
  Value first = a * b;
  Value second = a + c;
  first = first.exp();
  second = second * c;
  first = first + b;
  second = second.tanh();
  first.backward();
  CHECK(a.grad() == Approx(std::exp(a.data() * b.data()) * b.data()));
  CHECK(b.grad() == Approx(std::exp(a.data() * b.data()) * a.data() + 1.0));
  CHECK(c.grad() == 0.0);
  CHECK(second.grad() == 0.0);
  second.backward();  // the first walk left nothing behind that this one could pick up
  CHECK(c.grad() == Approx((1 - std::pow(second.data(), 2)) * (a.data() + 2 * c.data())));
  CHECK(b.grad() == Approx(std::exp(a.data() * b.data()) * a.data() + 1.0));
}

TEST_CASE("Value: a chain of a million ops backpropagates and is freed without recursion", "[value][engine]") {
  constexpr int kLength = 1'000'000;
  const std::int64_t live_before = ag::detail::value_tape_stats().live_nodes;
  Value x(1.0);
  {
    Value y = x;
    for (int i = 0; i < kLength; ++i) y = y * 0.999999;
    y.backward();
    CHECK(ag::detail::value_tape_stats().live_nodes == live_before + kLength);
  }
  CHECK(x.grad() == Approx(std::pow(0.999999, kLength)).epsilon(1e-9));
  CHECK(ag::detail::value_tape_stats().live_nodes == live_before);
}

TEST_CASE("Value: a training loop keeps the tape flat, and a kept Value pins only its own chunk", "[value][memory]") {
  Value w(0.3), b(-0.1);
  const auto step = [&] {
    Value loss(0.0);
    for (int i = 0; i < 5000; ++i) loss = loss + ((w * (i * 1e-3) + b).tanh() - 0.5).pow(2);
    w.zero_grad();
    loss.backward();
    w.data() -= 1e-4 * w.grad();
  };
  const std::int64_t live_before = ag::detail::value_tape_stats().live_nodes;
  const Value kept = w * 2.0;  // its only input is a leaf, so it holds no other node
  step();
  step();  // the first step shared kept's chunk; from here on every step fills the same chunks
  const auto settled = ag::detail::value_tape_stats();
  for (int i = 0; i < 20; ++i) step();
  const auto after_many = ag::detail::value_tape_stats();
  CHECK(after_many.live_nodes == live_before + 1);
  CHECK(after_many.chunks_in_use <= 2);  // kept's chunk and the one being filled
  CHECK(after_many.chunks_in_use + after_many.spare_chunks == settled.chunks_in_use + settled.spare_chunks);
  CHECK(after_many.nodes_recorded - settled.nodes_recorded == 20 * 6 * 5000);
}

TEST_CASE("Value: copies share a node; a move hands it over and frees what the target held", "[value][memory]") {
  Value x(1.0);
  Value a = x * 2.0;
  Value b = x * 3.0;
  Value copy = b;
  copy.data() = 4.0;
  CHECK(b.data() == 4.0);
  const std::int64_t live = ag::detail::value_tape_stats().live_nodes;
  a = std::move(b);
  CHECK_FALSE(b.defined());
  CHECK(a.data() == 4.0);
  CHECK(ag::detail::value_tape_stats().live_nodes == live - 1);
}

TEST_CASE("Value: under NoGradGuard ops record constants", "[value][engine]") {
  Value x(2.0), y(3.0);
  Value z;
  {
    ag::NoGradGuard no_grad;
    z = x * y;
  }
  CHECK(z.data() == 6.0);
  CHECK(std::string(z.op()) == "*");
  (z * x).backward();
  CHECK(x.grad() == 6.0);  // through the recorded product only
  CHECK(y.grad() == 0.0);
}

TEST_CASE("Value: misuse throws an error naming what was expected", "[value][errors]") {
  const Value empty;
  CHECK_FALSE(empty.defined());
  CHECK_THROWS_AS(empty.backward(), ag::Error);
  CHECK_THROWS_WITH(empty.backward(), Contains("Value::backward") && Contains("empty"));
  CHECK_THROWS_WITH(empty.data(), Contains("Value::data") && Contains("empty"));
  CHECK_THROWS_WITH(empty.grad(), Contains("empty"));
  CHECK_THROWS_WITH(Value(1.0) * empty, Contains("*: an input is an empty Value"));
  CHECK_THROWS_WITH(empty.exp(), Contains("exp: an input is an empty Value"));
  Value moved(1.0);
  const Value taker = std::move(moved);
  CHECK_THROWS_WITH(moved + 1.0, Contains("+: an input is an empty Value"));
  CHECK(fmt::format("{}", empty) == "Value(empty)");
}

TEST_CASE("Value: a Value made on another thread is refused, and readable after that thread ended",
          "[value][errors][threads]") {
  Value leaf;
  Value result;
  std::thread([&] {
    leaf = Value(2.0);
    result = leaf * 3.0;
  }).join();
  CHECK(result.data() == 6.0);
  CHECK_THROWS_WITH(result + 1.0, Contains("+:") && Contains("another thread"));
  CHECK_THROWS_WITH(2.0 * leaf, Contains("*:") && Contains("another thread"));
  CHECK_THROWS_WITH(result.backward(), Contains("Value::backward") && Contains("another thread"));
}

TEST_CASE("Value: separate threads build and backpropagate their own graphs", "[value][threads]") {
  std::vector<double> grads(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < grads.size(); ++t)
    threads.emplace_back([&grads, t] {
      Value x(static_cast<double>(t));
      for (int step = 0; step < 100; ++step) {
        x.zero_grad();
        Value y = x;
        for (int i = 0; i < 1000; ++i) y = y * 1.001 + 0.5;
        y.backward();
      }
      grads[t] = x.grad();
    });
  for (auto& thread : threads) thread.join();
  for (double grad : grads) CHECK(grad == Approx(std::pow(1.001, 1000)));
}

TEST_CASE("Value: anomaly mode names the op of a NaN or Inf and leaves the tape clean", "[value][anomaly]") {
  Value x(-1.0), zero(0.0);
  {
    ag::DetectAnomalyGuard anomaly;
    CHECK_THROWS_WITH(x.log(), Contains("anomaly") && Contains("forward") && Contains("'log'") && Contains("-1"));
    const Value y = zero.sqrt() + zero;  // finite forward, infinite derivative
    CHECK_THROWS_WITH(y.backward(), Contains("anomaly") && Contains("backward") && Contains("'sqrt'"));
  }
  CHECK(std::isnan(x.log().data()));  // off: NaN passes through
  const Value z = zero * 2.0;
  z.backward();
  CHECK(zero.grad() == Approx(2.0 + 1.0));  // 1 arrived through '+' before the anomaly stopped the walk
}

TEST_CASE("Value: prints its data, grad and op", "[value]") {
  Value a(2.0), b(-4.0);
  const Value c = a * b;
  c.backward();
  CHECK(fmt::format("{}", a) == "Value(data=2, grad=-4)");
  CHECK(fmt::format("{}", c) == "Value(data=-8, grad=1, op=*)");
}

TEST_CASE("Value: a small network's gradients equal those of the same network of 0-d tensors", "[value][engine]") {
  const std::vector<double> weights = {0.3, -0.8, 0.5, 1.1, -0.2, 0.7};
  const std::vector<double> point = {0.9, -1.4};
  const auto f64 = ag::dtype(ag::kFloat64).requires_grad(true);

  std::vector<Value> w;
  std::vector<ag::Tensor> t;
  for (double x : weights) {
    w.emplace_back(x);
    t.push_back(ag::scalar(x, f64));
  }
  const Value h0 = (w[0] * point[0] + w[1] * point[1]).tanh();
  const Value h1 = (w[2] * point[0] - w[3] * point[1]).relu();
  const Value out = ((w[4] * h0 + w[5] * h1).sigmoid() - 1.0).pow(2) / 2.0;
  const ag::Tensor th0 = ag::tanh(t[0] * point[0] + t[1] * point[1]);
  const ag::Tensor th1 = ag::relu(t[2] * point[0] - t[3] * point[1]);
  const ag::Tensor tout = (ag::sigmoid(t[4] * th0 + t[5] * th1) - 1.0).pow(2) / 2.0;
  out.backward();
  tout.backward();
  CHECK(out.data() == Approx(tout.item()).epsilon(1e-15));
  for (std::size_t i = 0; i < weights.size(); ++i) {
    INFO("weight " << i);
    CHECK(w[i].grad() == Approx(t[i].grad().item()).epsilon(1e-14));
  }
}

namespace {

// Equal, or both NaN.
bool same_number(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

const std::vector<double> kEdgePoints = {0.0,    -0.0,  -1.0,   -0.5,  0.5,      2.0,       -40.0,
                                         -800.0, 800.0, 1e-200, 1e300, INFINITY, -INFINITY, NAN};

}  // namespace

TEST_CASE(
    "Value: every op gives the value and gradient of the 0-d tensor op, bit for bit (sigmoid to rounding), at edge "
    "points",
    "[value][ops]") {
  struct Unary {
    std::string name;
    std::function<Value(const Value&)> scalar;
    std::function<ag::Tensor(const ag::Tensor&)> tensor;
  };
  std::vector<Unary> ops = {
      {"exp", [](const Value& x) { return x.exp(); }, [](const ag::Tensor& x) { return ag::exp(x); }},
      {"log", [](const Value& x) { return x.log(); }, [](const ag::Tensor& x) { return ag::log(x); }},
      {"sqrt", [](const Value& x) { return x.sqrt(); }, [](const ag::Tensor& x) { return ag::sqrt(x); }},
      {"abs", [](const Value& x) { return x.abs(); }, [](const ag::Tensor& x) { return ag::abs(x); }},
      {"tanh", [](const Value& x) { return x.tanh(); }, [](const ag::Tensor& x) { return ag::tanh(x); }},
      {"sigmoid", [](const Value& x) { return x.sigmoid(); }, [](const ag::Tensor& x) { return ag::sigmoid(x); }},
      {"relu", [](const Value& x) { return x.relu(); }, [](const ag::Tensor& x) { return ag::relu(x); }},
      {"3 / x", [](const Value& x) { return 3.0 / x; }, [](const ag::Tensor& x) { return 3.0 / x; }},
      {"x / x", [](const Value& x) { return x / x; }, [](const ag::Tensor& x) { return x / x; }},
  };
  for (double exponent : {0.0, 1.0, 2.0, 3.0, 0.5, -0.5, -1.0, 2.5})
    ops.push_back({"pow " + std::to_string(exponent), [exponent](const Value& x) { return x.pow(exponent); },
                   [exponent](const ag::Tensor& x) { return x.pow(exponent); }});
  for (const Unary& op : ops) {
    for (double at : kEdgePoints) {
      const Value x(at);
      const Value y = op.scalar(x);
      y.backward();
      auto tx = ag::scalar(at, ag::dtype(ag::kFloat64).requires_grad(true));
      const ag::Tensor ty = op.tensor(tx);
      ty.backward();
      INFO(op.name << " at " << at << ": Value " << y.data() << ", gradient " << x.grad() << "; tensor " << ty.item()
                   << ", gradient " << tx.grad().item());
      if (op.name == "sigmoid") {
        // Value's sigmoid is 1 / (1 + exp(-x)) on both sides of 0, the tensor's a two-branch form that cannot
        // overflow exp (Value's overflow only ever gives the right limit, 0): equal up to rounding.
        CHECK((same_number(y.data(), ty.item()) || y.data() == Approx(ty.item()).epsilon(1e-15)));
        CHECK((same_number(x.grad(), tx.grad().item()) || x.grad() == Approx(tx.grad().item()).epsilon(1e-15)));
      } else {
        CHECK(same_number(y.data(), ty.item()));
        CHECK(same_number(x.grad(), tx.grad().item()));
      }
    }
  }
  for (double a : kEdgePoints) {
    for (double b : kEdgePoints) {
      const Value x(a), y(b);
      const Value q = x / y;
      q.backward();
      auto tx = ag::scalar(a, ag::dtype(ag::kFloat64).requires_grad(true));
      auto ty = ag::scalar(b, ag::dtype(ag::kFloat64).requires_grad(true));
      const ag::Tensor tq = tx / ty;
      tq.backward();
      INFO(a << " / " << b << ": gradients " << x.grad() << ", " << y.grad() << "; tensor " << tx.grad().item() << ", "
             << ty.grad().item());
      CHECK(same_number(x.grad(), tx.grad().item()));
      CHECK(same_number(y.grad(), ty.grad().item()));
    }
  }
}

TEST_CASE("README Value example: micrograd's ops, backward, update and printing", "[value][readme]") {
  ag::Value a(-4.0), b(2.0);
  ag::Value c = a * b + b.pow(3) + (a + b).relu();
  c.backward();
  CHECK(a.grad() == 2.0);
  CHECK(b.grad() == -4.0 + 12.0);
  a.data() -= 0.1 * a.grad();
  CHECK(a.data() == -4.2);
  a.zero_grad();
  CHECK(a.grad() == 0.0);
  CHECK(fmt::format("{}", c) == "Value(data=0, grad=1, op=+)");
}

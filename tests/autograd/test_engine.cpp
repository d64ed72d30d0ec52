#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

#include <future>
#include <thread>

using Catch::Contains;

TEST_CASE("micrograd-style scalar expression gets its gradients", "[engine][scalar]") {
  auto a = ag::scalar(2.0, /*requires_grad=*/true);
  auto b = ag::scalar(-3.0, true);
  auto c = a * b + b.pow(3);
  c.backward();
  CHECK(c.item() == Approx(-33.0));
  CHECK(a.grad().item() == Approx(-3.0));
  CHECK(b.grad().item() == Approx(2.0 + 27.0));
}

TEST_CASE("micrograd's reference expression matches its published values", "[engine][scalar]") {
  const auto f64 = ag::dtype(ag::kFloat64).requires_grad(true);
  auto a = ag::scalar(-4.0, f64);
  auto b = ag::scalar(2.0, f64);
  auto c = a + b;
  auto d = a * b + b.pow(3);
  c += c + 1.0;
  c += 1.0 + c + (-a);
  d += d * 2.0 + (b + a).relu();
  d += 3.0 * d + (b - a).relu();
  auto e = c - d;
  auto f = e.pow(2);
  auto g = f / 2.0;
  g += 10.0 / f;
  g.backward();
  CHECK(g.item() == Approx(24.70408163265306).epsilon(1e-12));
  CHECK(a.grad().item() == Approx(138.83381924198252).epsilon(1e-12));
  CHECK(b.grad().item() == Approx(645.5772594752186).epsilon(1e-12));
}

TEST_CASE("gradients accumulate across backward passes until zero_grad", "[engine]") {
  auto x = ag::scalar(3.0, true);
  (x * x).backward();
  (x * x).backward();
  CHECK(x.grad().item() == Approx(12.0));
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
  (x * 2.0).backward();
  CHECK(x.grad().item() == Approx(2.0));
}

TEST_CASE("an input used on two paths receives the sum of both gradients", "[engine]") {
  auto x = ag::tensor({1.0, 2.0, 3.0}, ag::requires_grad());
  auto y = (x * x + x.exp() * x).sum();
  y.backward();
  for (int i = 0; i < 3; ++i) {
    const double v = i + 1.0;
    CHECK(x.grad().at({i}) == Approx(2 * v + std::exp(v) * (1 + v)).epsilon(1e-5));
  }
}

TEST_CASE("backward of a non-scalar needs an explicit gradient of its shape", "[engine][errors]") {
  auto x = ag::ones({2, 3}, ag::requires_grad());
  auto y = x * 2.0;
  CHECK_THROWS_WITH(y.backward(), Contains("backward") && Contains("[2, 3]") && Contains("one element"));
  CHECK_THROWS_WITH(y.backward(ag::ones({3, 2})), Contains("[3, 2]") && Contains("[2, 3]"));
  y.backward(ag::full({2, 3}, 0.5));
  CHECK(x.grad().to_vector() == std::vector<double>(6, 1.0));
}

TEST_CASE("backward on a tensor that does not require grad is refused", "[engine][errors]") {
  auto x = ag::ones({2});
  CHECK_THROWS_WITH(x.sum().backward(), Contains("does not require grad"));
}

TEST_CASE("a second backward through a freed graph throws unless retain_graph was asked for", "[engine][errors]") {
  auto x = ag::scalar(2.0, true);
  auto y = x.exp() * x;
  y.backward();
  CHECK_THROWS_WITH(y.backward(), Contains("retain_graph") && Contains("mul"));

  auto z = x.exp() * x;
  x.zero_grad();
  z.backward(ag::Tensor(), /*retain_graph=*/true);
  z.backward();
  CHECK(x.grad().item() == Approx(2 * (std::exp(2.0) * 3.0)).epsilon(1e-6));
}

TEST_CASE("a freed graph is detected through an intermediate result too", "[engine][errors]") {
  auto x = ag::scalar(2.0, true);
  auto hidden = x.sigmoid();
  (hidden * 3.0).backward();
  CHECK_THROWS_WITH((hidden * 4.0).backward(), Contains("sigmoid") && Contains("already freed"));
}

TEST_CASE("ag::grad returns gradients without touching grad()", "[engine][grad]") {
  auto x = ag::tensor({1.0, 2.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto w = ag::tensor({3.0, 4.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto hidden = x * w;
  auto loss = hidden.sum();
  const auto grads = ag::grad({loss}, {x, hidden});
  CHECK(grads[0].to_vector() == std::vector<double>{3.0, 4.0});
  CHECK(grads[1].to_vector() == std::vector<double>{1.0, 1.0});
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("ag::grad reports inputs the outputs do not depend on", "[engine][grad][errors]") {
  auto x = ag::scalar(1.0, true);
  auto unused = ag::scalar(2.0, true);
  auto y = x * 3.0;
  ag::GradOptions options;
  options.retain_graph = true;
  CHECK_THROWS_WITH(ag::grad({y}, {unused}, options), Contains("not used"));
  options.allow_unused = true;
  const auto grads = ag::grad({y}, {x, unused}, options);
  CHECK(grads[0].item() == Approx(3.0));
  CHECK_FALSE(grads[1].defined());
  CHECK_THROWS_WITH(ag::grad({ag::scalar(1.0, true) * 2.0}, {ag::scalar(1.0)}), Contains("does not require grad"));
}

TEST_CASE("ag::grad with an input listed twice returns its gradient twice", "[engine][grad]") {
  auto x = ag::tensor({1.0, 2.0}, ag::requires_grad());
  auto w = ag::tensor({3.0, 4.0}, ag::requires_grad());
  const auto grads = ag::grad({(x * x * w).sum()}, {x, w, x});
  REQUIRE(grads.size() == 3);
  CHECK(grads[0].to_vector() == std::vector<double>{6.0, 16.0});
  CHECK(grads[1].to_vector() == std::vector<double>{1.0, 4.0});
  CHECK(grads[2].to_vector() == std::vector<double>{6.0, 16.0});
}

TEST_CASE("NoGradGuard stops recording and restores the previous mode", "[engine][grad_mode]") {
  auto x = ag::scalar(1.0, true);
  {
    ag::NoGradGuard outer;
    {
      ag::NoGradGuard inner;
      CHECK_FALSE((x * 2.0).requires_grad());
    }
    CHECK_FALSE(ag::is_grad_enabled());
  }
  CHECK(ag::is_grad_enabled());
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("requires_grad propagates from any input, and detach cuts the graph", "[engine]") {
  auto a = ag::ones({2}, ag::requires_grad());
  auto b = ag::ones({2});
  CHECK((a + b).requires_grad());
  CHECK_FALSE((b * b).requires_grad());
  CHECK(std::string((a + b).op_name()) == "add");
  auto cut = (a * 3.0).detach();
  CHECK(cut.is_leaf());
  CHECK_FALSE(cut.requires_grad());
  (a * cut).sum().backward();
  CHECK(a.grad().to_vector() == std::vector<double>{3.0, 3.0});
  CHECK_THROWS_WITH((a * 2.0).requires_grad_(false), Contains("leaf") && Contains("mul"));
}

TEST_CASE("a chain of a million ops backpropagates and is freed without deep recursion", "[engine][deep]") {
  auto x = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::Tensor y = x;
  for (int i = 0; i < 1'000'000; ++i) y = y * 1.0000001;
  y.backward();
  CHECK(x.grad().item() == Approx(std::pow(1.0000001, 1'000'000)).epsilon(1e-9));

  ag::Tensor kept = x;
  for (int i = 0; i < 1'000'000; ++i) kept = kept + 1.0;
  CHECK(kept.item() == Approx(1'000'001.0));
  kept = ag::Tensor();  // tears down a million-node graph that was never backpropagated
}

namespace {
// A user-defined op: values computed without the graph, backward written by hand.
ag::Tensor cube(const ag::Tensor& x) {
  ag::Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * x * x;
  }
  return ag::make_op("cube", y, {x}, [](ag::BackwardContext& ctx, const ag::Tensor& grad) {
    const ag::Tensor& x = ctx.input(0);
    ctx.add_grad(0, grad * 3.0 * x * x);
  });
}

ag::Tensor wrong_shape_grad(const ag::Tensor& x) {
  return ag::make_op("broken", x.detach() * 2.0, {x},
                     [](ag::BackwardContext& ctx, const ag::Tensor& grad) { ctx.add_grad(0, grad.sum()); });
}
}  // namespace

TEST_CASE("a user-defined op takes part in the graph like a built-in one", "[engine][custom_op]") {
  auto x = ag::tensor({1.0, -2.0, 0.5}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto y = cube(x).sum();
  CHECK(std::string(cube(x).op_name()) == "cube");
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{3.0, 12.0, 0.75});
  CHECK_THAT(ag::gradcheck([](const auto& in) { return cube(in[0] * in[1]); },
                           {ag::randn({4}, ag::kFloat64), ag::randn({4}, ag::kFloat64)}),
             PassesGradcheck());
}

TEST_CASE("a backward that sends a gradient of the wrong shape names the op and both shapes", "[engine][errors]") {
  auto x = ag::ones({2, 2}, ag::requires_grad());
  auto y = wrong_shape_grad(x).sum();
  CHECK_THROWS_WITH(y.backward(), Contains("broken backward") && Contains("[]") && Contains("[2, 2]"));
}

TEST_CASE("each leaf gets a gradient of its own, even when an op hands both inputs the same one", "[engine]") {
  auto a = ag::ones({2}, ag::requires_grad());
  auto b = ag::ones({2}, ag::requires_grad());
  (a + b).sum().backward();
  CHECK_FALSE(a.grad().is_same(b.grad()));
  ag::NoGradGuard no_grad;
  ag::Tensor a_grad = a.grad();  // a handle to the same gradient
  a_grad.mul_(10.0);
  CHECK(a.grad().to_vector() == std::vector<double>{10.0, 10.0});
  CHECK(b.grad().to_vector() == std::vector<double>{1.0, 1.0});
}

TEST_CASE("set_num_threads accepts a positive count and refuses zero", "[engine][threads]") {
  ag::set_num_threads(1);
  CHECK(ag::get_num_threads() == 1);
  CHECK_THROWS_WITH(ag::set_num_threads(0), Contains("set_num_threads"));
}

TEST_CASE("a retained graph backpropagates the same from another thread, one thread at a time", "[engine][threads]") {
  auto x = ag::tensor({1.0, 2.0}, ag::requires_grad());
  ag::Tensor y;
  std::thread([&] {
    y = (x * x).sum();
    y.backward(ag::Tensor(), /*retain_graph=*/true);
  }).join();
  CHECK(x.grad().to_vector() == std::vector<double>{2.0, 4.0});
  // A fresh thread: the first pass let go of every node it claimed.
  std::thread([&] { y.backward(ag::Tensor(), /*retain_graph=*/true); }).join();
  CHECK(x.grad().to_vector() == std::vector<double>{4.0, 8.0});
  std::thread([&] { y.backward(ag::Tensor(), /*retain_graph=*/true); }).join();
  CHECK(x.grad().to_vector() == std::vector<double>{6.0, 12.0});
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{8.0, 16.0});
}

TEST_CASE("a second thread's backward through a graph that is being backpropagated is refused", "[engine][threads]") {
  std::promise<void> first_is_inside;
  std::promise<void> second_has_tried;
  std::shared_future<void> tried = second_has_tried.get_future().share();
  auto x = ag::tensor({1.0, 2.0}, ag::requires_grad());
  // An identity whose backward waits for the other thread, so that the two passes overlap for certain.
  const ag::Tensor y = ag::make_op("waiting", x.detach(), {x}, [&](ag::BackwardContext& ctx, const ag::Tensor& grad) {
    first_is_inside.set_value();
    tried.wait();
    ctx.add_grad(0, grad);
  });
  const ag::Tensor loss = y.sum();
  std::thread first([&] { loss.backward(ag::Tensor(), /*retain_graph=*/true); });
  first_is_inside.get_future().wait();
  CHECK_THROWS_WITH(loss.backward(ag::Tensor(), /*retain_graph=*/true),
                    "backward: another thread is running a backward pass through this graph (at 'waiting'); one "
                    "graph takes one backward pass at a time: wait for it, or build a graph per thread");
  second_has_tried.set_value();
  first.join();
  CHECK(x.grad().to_vector() == std::vector<double>{1.0, 1.0});  // the refused pass left nothing behind
}

namespace {
// A user-defined identity whose backward first runs a backward of its own on `target`: its input or its output
// (the graph that is being backpropagated), or a separate graph.
enum class Reentry { Input, Output, Separate };

ag::Tensor reentrant(const ag::Tensor& x, Reentry reentry, ag::Tensor separate = {}) {
  return ag::make_op("reentrant", x.detach(), {x},
                     [reentry, separate](ag::BackwardContext& ctx, const ag::Tensor& grad) {
                       switch (reentry) {
                         case Reentry::Input:
                           ctx.input(0).backward(grad);
                           break;
                         case Reentry::Output:
                           ctx.output().backward(grad);
                           break;
                         case Reentry::Separate:
                           separate.backward();
                           break;
                       }
                       ctx.add_grad(0, grad);
                     });
}
}  // namespace

TEST_CASE("a backward started inside a backward function on the graph being backpropagated is refused",
          "[engine][custom_op][errors]") {
  for (const Reentry reentry : {Reentry::Input, Reentry::Output}) {
    auto x = ag::tensor({1.0, 2.0}, ag::requires_grad());
    auto y = reentrant(x * 2.0, reentry).sum();
    CHECK_THROWS_WITH(y.backward(),
                      "backward: called inside the backward of 'reentrant' on a graph that the running "
                      "backward() goes through (at '" +
                          std::string(reentry == Reentry::Input ? "mul" : "reentrant") +
                          "'); a backward function may run backward() only on a separate graph");
    CHECK_FALSE(x.grad().defined());
  }
}

TEST_CASE("a backward started inside a backward function on a separate graph works", "[engine][custom_op]") {
  auto v = ag::tensor({3.0, 4.0}, ag::requires_grad());
  auto x = ag::tensor({1.0, 2.0}, ag::requires_grad());
  auto y = reentrant(x * 2.0, Reentry::Separate, (v * v).sum()).sum();
  y.backward();
  CHECK(x.grad().to_vector() == std::vector<double>{2.0, 2.0});
  CHECK(v.grad().to_vector() == std::vector<double>{6.0, 8.0});
}

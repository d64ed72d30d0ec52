// The README's API examples, kept compiling and true.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

TEST_CASE("README tensor example: broadcasting gradients, a no-grad update and ag::grad", "[readme]") {
  ag::manual_seed(0);
  auto x = ag::randn({64, 3});
  auto w = ag::randn({3, 1}, ag::requires_grad());
  auto b = ag::zeros({1}, ag::requires_grad());
  auto loss = (ag::sigmoid(x.matmul(w) + b) - 1.0).pow(2).mean();
  loss.backward();
  CHECK(w.grad().shape() == ag::Shape{3, 1});
  CHECK(b.grad().shape() == ag::Shape{1});
  {
    ag::NoGradGuard no_grad;
    w.add_(w.grad(), -0.1);
  }
  auto again = (ag::sigmoid(x.matmul(w) + b) - 1.0).pow(2).mean();
  CHECK(again.item() < loss.item());
  const auto b_grad_before = b.grad().item();
  auto grads = ag::grad({again}, {w, b});
  CHECK(grads[1].shape() == ag::Shape{1});
  CHECK(b.grad().item() == b_grad_before);
}

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

TEST_CASE("micrograd-style scalar expression gets its gradients", "[engine][scalar]") {
  auto a = ag::scalar(2.0, /*requires_grad=*/true);
  auto b = ag::scalar(-3.0, true);
  auto c = a * b + b.pow(3);
  c.backward();
  CHECK(c.item() == Approx(-33.0));
  CHECK(a.grad().item() == Approx(-3.0));
  CHECK(b.grad().item() == Approx(2.0 + 27.0));
}

// Version counters, as PyTorch's: an in-place write into a tensor that a recorded op will read in its backward
// makes that backward throw, instead of computing a gradient from the new values.

#include <autograd/autograd.hpp>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <functional>
#include <vector>

using Catch::Contains;

TEST_CASE("an input modified in place under NoGradGuard after the forward makes backward throw", "[engine][inplace]") {
  auto w = ag::tensor({1.0, 1.0}, ag::requires_grad());
  auto x = ag::tensor({2.0, 2.0});
  x.set_label("x");
  auto y = (w * x).sum();
  {
    ag::NoGradGuard no_grad;
    x.add_(ag::tensor({40.0, 40.0}));
  }
  CHECK_THROWS_WITH(y.backward(),
                    "mul backward: input 1 (shape [2], 'x') was modified in place after the forward (version 0 "
                    "saved, now 1); clone() it before modifying, or modify it after backward()");
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("an in-place op through a detached alias is seen by the graph of the original", "[engine][inplace]") {
  auto w = ag::tensor({1.0, 2.0}, ag::requires_grad());
  auto y = (w * w).sum();
  w.detach().mul_(0.0);  // detach shares w's storage, and needs no guard
  CHECK_THROWS_WITH(y.backward(),
                    "mul backward: input 0 (shape [2]) was modified in place after the forward (version "
                    "0 saved, now 1); clone() it before modifying, or modify it after backward()");
}

TEST_CASE("every in-place op and compound assignment bumps the version; views share it", "[engine][inplace]") {
  auto w = ag::ones({2, 2}, ag::requires_grad());
  auto x = ag::ones({2, 2});
  const ag::Tensor row = x.reshape({4}).reshape({2, 2});
  const std::vector<std::function<void(ag::Tensor&)>> writes = {
      [](ag::Tensor& t) { t.fill_(3.0); },
      [](ag::Tensor& t) { t.zero_(); },
      [](ag::Tensor& t) { t.copy_(ag::ones({2})); },
      [](ag::Tensor& t) { t.add_(ag::ones({2}), 2.0); },
      [](ag::Tensor& t) { t.sub_(ag::ones({2})); },
      [](ag::Tensor& t) { t.mul_(ag::ones({2})); },
      [](ag::Tensor& t) { t.div_(ag::ones({2})); },
      [](ag::Tensor& t) { t.mul_(2.0); },
      [](ag::Tensor& t) { t += 1.0; },
      [](ag::Tensor& t) { t -= ag::ones({2}); },
      [](ag::Tensor& t) { t *= 2.0; },
      [](ag::Tensor& t) { t /= 2.0; },
  };
  for (std::size_t i = 0; i < writes.size(); ++i) {
    INFO("write " << i);
    auto y = (w * row).sum();  // saves the view, whose storage is x's
    writes[i](x);
    CHECK_THROWS_WITH(y.backward(), Contains("mul backward: input 1 (shape [2, 2]) was modified in place") &&
                                        Contains(fmt::format("(version {} saved, now {})", i, i + 1)));
  }
}

TEST_CASE("a modified output that the backward reads makes it throw too", "[engine][inplace]") {
  auto x = ag::tensor({0.0, 1.0}, ag::requires_grad());
  auto y = x.exp();
  auto loss = y.sum();
  {
    ag::NoGradGuard no_grad;
    y.mul_(2.0);
  }
  CHECK_THROWS_WITH(loss.backward(),
                    "exp backward: the output (shape [2]) was modified in place after the forward "
                    "(version 0 saved, now 1); clone() it before modifying, or modify it after "
                    "backward()");
}

TEST_CASE("a clone before modifying, or a modification after backward, gives the right gradient", "[engine][inplace]") {
  auto w = ag::tensor({1.0, 1.0}, ag::requires_grad());
  auto x = ag::tensor({2.0, 2.0});
  auto y = (w * x.clone()).sum();
  x.add_(ag::tensor({40.0, 40.0}));
  y.backward();
  CHECK(w.grad().to_vector() == std::vector<double>{2.0, 2.0});

  w.zero_grad();
  auto z = (w * x).sum();
  z.backward();
  x.add_(ag::tensor({1.0, 1.0}));
  CHECK(w.grad().to_vector() == std::vector<double>{42.0, 42.0});
  (w * x).sum().backward();  // a forward after the write saves the new version
  CHECK(w.grad().to_vector() == std::vector<double>{85.0, 85.0});
}

TEST_CASE("an op that reads only an input's shape does not mind it being modified, as in PyTorch",
          "[engine][inplace]") {
  auto w = ag::tensor({1.0, 1.0}, ag::requires_grad());
  auto b = ag::tensor({1.0, 2.0}, ag::requires_grad());
  auto y = (w + b.reshape({2, 1}).sum(1)).sum();
  {
    ag::NoGradGuard no_grad;
    b.mul_(3.0);
  }
  y.backward();
  CHECK(w.grad().to_vector() == std::vector<double>{1.0, 1.0});
  CHECK(b.grad().to_vector() == std::vector<double>{1.0, 1.0});
}

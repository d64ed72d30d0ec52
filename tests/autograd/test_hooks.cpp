#include <autograd/autograd.hpp>
#include <autograd/hooks.hpp>

#include <catch2/catch.hpp>

#include <vector>

using Catch::Matchers::Contains;

TEST_CASE("a post-accumulate-grad hook sees the leaf's whole gradient once per pass", "[hooks]") {
  // w is used twice, by ops that run at different times of the pass: the hook must wait for the second.
  ag::Tensor w = ag::tensor({1.0, 2.0, 3.0}, ag::kFloat64).requires_grad_();
  ag::Tensor x = ag::tensor({4.0, 5.0, 6.0}, ag::kFloat64);
  std::vector<std::vector<double>> seen;
  const ag::HookHandle handle = ag::register_post_accumulate_grad_hook(
      w, [&](const ag::Tensor& leaf) { seen.push_back(leaf.grad().to_vector()); });
  const auto loss = [&] { return ag::sum(ag::exp(w * x) * 0.0 + w * w) + ag::sum(w * x); };
  loss().backward();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::vector<double>{6.0, 9.0, 12.0});  // 2w + x
  loss().backward();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == std::vector<double>{12.0, 18.0, 24.0});  // accumulated over both passes
}

TEST_CASE("post-accumulate-grad hooks run in the order backward finishes their leaves", "[hooks]") {
  ag::Tensor first = ag::tensor({2.0}, ag::kFloat64).requires_grad_();
  ag::Tensor second = ag::tensor({3.0}, ag::kFloat64).requires_grad_();
  std::vector<int> order;
  const auto a = ag::register_post_accumulate_grad_hook(first, [&](const ag::Tensor&) { order.push_back(1); });
  const auto b = ag::register_post_accumulate_grad_hook(second, [&](const ag::Tensor&) { order.push_back(2); });
  // second's only use is the last op of the forward, so backward finishes it first.
  ag::sum(ag::exp(first) * second).backward();
  CHECK(order == std::vector<int>{2, 1});
}

TEST_CASE("a removed post-accumulate-grad hook is not called, and ag::grad calls none", "[hooks]") {
  ag::Tensor w = ag::tensor({1.0, 2.0}, ag::kFloat64).requires_grad_();
  int calls = 0;
  ag::HookHandle handle = ag::register_post_accumulate_grad_hook(w, [&](const ag::Tensor&) { ++calls; });
  ag::grad({ag::sum(w * w)}, {w});
  CHECK(calls == 0);
  ag::sum(w * w).backward();
  CHECK(calls == 1);
  handle.remove();
  ag::sum(w * w).backward();
  CHECK(calls == 1);
  {
    const ag::HookHandle scoped = ag::register_post_accumulate_grad_hook(w, [&](const ag::Tensor&) { ++calls; });
  }
  ag::sum(w * w).backward();
  CHECK(calls == 1);
}

TEST_CASE("a throwing post-accumulate-grad hook stops backward with its error", "[hooks]") {
  ag::Tensor w = ag::tensor({1.0}, ag::kFloat64).requires_grad_();
  const auto handle =
      ag::register_post_accumulate_grad_hook(w, [](const ag::Tensor&) { ag::fail("the hook refuses"); });
  CHECK_THROWS_WITH(ag::sum(w * w).backward(), Contains("the hook refuses"));
}

TEST_CASE("post-accumulate-grad hooks are refused on tensors that are not leaves requiring grad", "[hooks]") {
  const auto hook = [](const ag::Tensor&) {};
  CHECK_THROWS_WITH(ag::register_post_accumulate_grad_hook(ag::Tensor(), hook), Contains("the tensor is undefined"));
  ag::Tensor plain = ag::tensor({1.0});
  CHECK_THROWS_WITH(ag::register_post_accumulate_grad_hook(plain, hook),
                    Contains("must be a leaf that requires grad; it is a leaf that does not require grad"));
  ag::Tensor w = ag::tensor({1.0}).requires_grad_();
  CHECK_THROWS_WITH(ag::register_post_accumulate_grad_hook(w * 2.0, hook),
                    Contains("it is the result of an op that requires grad"));
  CHECK_THROWS_WITH(ag::register_post_accumulate_grad_hook(w, nullptr), Contains("the hook is empty"));
}

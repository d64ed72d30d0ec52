#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("nested initializer lists give shape and row-major values", "[tensor][creation]") {
  auto t = ag::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(t.shape() == ag::Shape{2, 3});
  CHECK(t.dtype() == ag::kFloat32);
  CHECK(t.at({1, 0}) == 4.0);
  CHECK(t.at({-1, -1}) == 6.0);
  CHECK(ag::tensor(2.5).dim() == 0);
  CHECK_THROWS_WITH(ag::tensor({{1, 2}, {3}}), Contains("ragged"));
  CHECK_THROWS_WITH(t.at({2, 0}), Contains("out of range") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(t.at({0}), Contains("1 indices") && Contains("[2, 3]"));
}

TEST_CASE("creation functions fill shape, dtype and values", "[tensor][creation]") {
  CHECK(ag::zeros({2, 2}).to_vector() == std::vector<double>(4, 0.0));
  CHECK(ag::ones({3}, ag::kFloat64).dtype() == ag::kFloat64);
  CHECK(ag::full({2}, 7.0).to_vector() == std::vector<double>{7.0, 7.0});
  CHECK(ag::arange(4).to_vector() == std::vector<double>{0, 1, 2, 3});
  CHECK(ag::arange(1, 2, 0.25).numel() == 4);
  CHECK(ag::zeros_like(ag::ones({2, 5}, ag::kFloat64)).shape() == ag::Shape{2, 5});
  CHECK(ag::ones_like(ag::zeros({3}, ag::kFloat64)).dtype() == ag::kFloat64);
  CHECK(ag::from_vector(std::vector<double>{1, 2, 3, 4}, {2, 2}).at({1, 1}) == 4.0);
  CHECK_THROWS_WITH(ag::from_vector(std::vector<double>{1, 2, 3}, {2, 2}), Contains("3 values") && Contains("[2, 2]"));
  CHECK_THROWS_WITH(ag::arange(0, 1, 0), Contains("arange"));
  CHECK_THROWS_AS(ag::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), ag::Error);
}

TEST_CASE("the default dtype can be switched to float64", "[tensor][creation]") {
  ag::set_default_dtype(ag::kFloat64);
  CHECK(ag::zeros({1}).dtype() == ag::kFloat64);
  CHECK(ag::scalar(1.0).dtype() == ag::kFloat64);
  ag::set_default_dtype(ag::kFloat32);
  CHECK(ag::zeros({1}).dtype() == ag::kFloat32);
}

TEST_CASE("manual_seed makes rand and randn reproducible", "[tensor][random]") {
  ag::manual_seed(42);
  const auto first = ag::randn({100}).to_vector();
  const auto uniform = ag::rand({100}).to_vector();
  ag::manual_seed(42);
  CHECK(ag::randn({100}).to_vector() == first);
  CHECK(ag::rand({100}).to_vector() == uniform);
  double mean = 0.0;
  for (double v : first) mean += v / 100.0;
  CHECK(std::abs(mean) < 0.3);
  for (double v : uniform) CHECK((v >= 0.0 && v < 1.0));
}

TEST_CASE("item reads a one-element tensor and refuses others", "[tensor][errors]") {
  CHECK(ag::scalar(3.5).item() == 3.5);
  CHECK(ag::ones({1, 1}).item() == 1.0);
  CHECK_THROWS_WITH(ag::ones({2, 3}).item(), Contains("item") && Contains("[2, 3]") && Contains("6 elements"));
}

TEST_CASE("an undefined tensor throws instead of crashing", "[tensor][errors]") {
  ag::Tensor undefined;
  CHECK_FALSE(undefined.defined());
  CHECK_THROWS_WITH(undefined.shape(), Contains("undefined"));
  auto leaf = ag::scalar(1.0, true);
  CHECK_THROWS_WITH(leaf.grad().item(), Contains("undefined"));
  CHECK_THROWS_AS(undefined + leaf, ag::Error);
}

TEST_CASE("mixing float32 and float64 is an error naming both", "[tensor][errors]") {
  auto a = ag::ones({2});
  auto b = ag::ones({2}, ag::kFloat64);
  CHECK_THROWS_WITH(a + b, Contains("add") && Contains("float32") && Contains("float64"));
  CHECK((a.to(ag::kFloat64) + b).dtype() == ag::kFloat64);
  CHECK_THROWS_WITH(a.data<double>(), Contains("float32"));
}

TEST_CASE("scalars mix with tensors and plain numbers", "[tensor]") {
  auto x = ag::tensor({1.0, 2.0});
  CHECK((1.0 - x).to_vector() == std::vector<double>{0.0, -1.0});
  CHECK((x * 2).to_vector() == std::vector<double>{2.0, 4.0});
  CHECK((ag::scalar(3.0) * x).to_vector() == std::vector<double>{3.0, 6.0});
}

TEST_CASE("in-place updates are refused on tracked tensors unless grad mode is off", "[tensor][errors]") {
  auto w = ag::ones({2}, ag::requires_grad());
  CHECK_THROWS_WITH(w.add_(ag::ones({2})), Contains("add_") && Contains("NoGradGuard"));
  {
    ag::NoGradGuard no_grad;
    w.add_(ag::ones({2}), -0.5);
    w.mul_(4.0);
  }
  CHECK(w.to_vector() == std::vector<double>{2.0, 2.0});
  ag::NoGradGuard no_grad;
  CHECK_THROWS_WITH(w.copy_(ag::ones({3})), Contains("copy_") && Contains("[3]") && Contains("[2]"));
}

TEST_CASE("tensors print their values, shape and dtype", "[tensor][format]") {
  auto t = ag::tensor({{1.5, 2.0}, {3.0, 4.0}});
  const std::string text = fmt::format("{}", t);
  CHECK_THAT(text, Contains("1.5000") && Contains("shape=[2, 2]") && Contains("dtype=float32"));
  CHECK_THAT(ag::to_string(ag::scalar(2.0, true) * 3.0), Contains("grad_fn=<mul>"));
  CHECK_THAT(ag::to_string(ag::arange(5000)), Contains("..."));
}

TEST_CASE("a shape whose element count overflows int64 is refused, naming the shape", "[tensor][errors]") {
  const std::int64_t big = std::int64_t{1} << 40;
  CHECK_THROWS_WITH(ag::zeros({big, big}),
                    "Shape: [1099511627776, 1099511627776] has more elements than an int64 can count (at most "
                    "9223372036854775807)");
  CHECK_THROWS_AS(ag::ones({3, big, big}), ag::Error);
  // Wrapped to 0, the count once let an empty tensor take this shape with no data behind it.
  CHECK_THROWS_WITH(ag::zeros({0}).reshape({std::int64_t{1} << 32, std::int64_t{1} << 32}),
                    Contains("[4294967296, 4294967296]"));
  // A zero dim makes the count 0 whatever the others are.
  CHECK(ag::zeros({big, 0, big}).numel() == 0);
}

TEST_CASE("a tensor too large for memory is an ag::Error naming its shape and bytes, not std::bad_alloc",
          "[tensor][errors]") {
  // 128 TiB, more than a 47-bit address space holds. Under AddressSanitizer this needs allocator_may_return_null=1
  // (as .ci/run sets), or ASan aborts the process instead of failing the allocation.
  const std::int64_t huge = std::int64_t{1} << 45;
  CHECK_THROWS_WITH(ag::zeros({huge}),
                    "empty: cannot allocate 140737488355328 bytes for shape [35184372088832] (float32): out of memory");
  CHECK_THROWS_WITH(ag::randn({huge, 2}, ag::kFloat64), StartsWith("empty: cannot allocate 562949953421312 bytes"));
  // Byte counts that no malloc can return, or that do not fit in 64 bits, are refused before trying.
  CHECK_THROWS_WITH(ag::empty({std::int64_t{1} << 60}, ag::kFloat64),
                    "empty: cannot allocate 9223372036854775808 bytes for shape [1152921504606846976] (float64): out "
                    "of memory");
  CHECK_THROWS_WITH(ag::empty({std::int64_t{1} << 62}, ag::kFloat64),
                    StartsWith("empty: cannot allocate more than 18446744073709551615 bytes for shape "
                               "[4611686018427387904]"));
}

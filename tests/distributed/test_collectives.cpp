#include <autograd/autograd.hpp>
#include <distributed/distributed.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

using Catch::Contains;
namespace dist = ag::distributed;

TEST_CASE("rank and world_size describe the mpirun job", "[distributed]") {
  REQUIRE(dist::is_initialized());
  CHECK(dist::world_size() >= 1);
  CHECK(dist::rank() >= 0);
  CHECK(dist::rank() < dist::world_size());
}

TEST_CASE("all_reduce sums and averages float32, float64 and int64 in place", "[distributed]") {
  const double r = dist::rank();
  const double n = dist::world_size();
  const double rank_sum = n * (n - 1) / 2;  // 0 + 1 + ... + (n - 1)
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64, ag::kInt64}) {
    INFO(ag::dtype_name(dtype));
    ag::Tensor values = ag::tensor({r, 10 * r + 1}, dtype);
    dist::all_reduce(values);
    CHECK(values.to_vector() == std::vector<double>{rank_sum, 10 * rank_sum + n});
  }
  ag::Tensor mean = ag::tensor({{2 * r, 1.0}, {-r, 0.5}}, ag::kFloat64);
  dist::all_reduce(mean, dist::ReduceOp::Mean);
  CHECK(mean.to_vector() == std::vector<double>{2 * rank_sum / n, 1.0, -rank_sum / n, 0.5});
}

TEST_CASE("broadcast copies one rank's values to all", "[distributed]") {
  const int source = dist::world_size() - 1;
  ag::Tensor values = ag::full({2, 3}, static_cast<double>(dist::rank()), ag::kFloat32);
  dist::broadcast(values, source);
  CHECK(values.to_vector() == std::vector<double>(6, source));
  ag::Tensor counts = ag::tensor({dist::rank() == 0 ? 7.0 : 0.0}, ag::kInt64);
  dist::broadcast(counts);
  CHECK(counts.item<std::int64_t>() == 7);
}

TEST_CASE("all_gather stacks every rank's tensor in rank order", "[distributed]") {
  const double r = dist::rank();
  const ag::Tensor gathered = dist::all_gather(ag::tensor({r, -r}, ag::kFloat64));
  CHECK(gathered.shape() == ag::Shape{dist::world_size(), 2});
  for (int rank = 0; rank < dist::world_size(); ++rank) {
    CHECK(gathered.at({rank, 0}) == rank);
    CHECK(gathered.at({rank, 1}) == -rank);
  }
  dist::barrier();
}

TEST_CASE("collectives refuse tensors whose shapes or dtypes differ between ranks, on every rank",
          "[distributed][errors]") {
  if (dist::world_size() < 2) return;
  const bool odd_one = dist::rank() == 1;
  const ag::Tensor values = ag::zeros({odd_one ? 3 : 2}, ag::kFloat64);
  CHECK_THROWS_WITH(dist::all_reduce(values),
                    Contains("all_reduce: rank 1 passed a float64 tensor of shape [3], but rank 0 passed a float64 "
                             "tensor of shape [2]"));
  const ag::Tensor typed = ag::zeros({2}, odd_one ? ag::kFloat32 : ag::kFloat64);
  CHECK_THROWS_WITH(dist::broadcast(typed), Contains("broadcast: rank 1 passed a float32 tensor of shape [2]"));
  CHECK_THROWS_WITH(dist::all_gather(typed), Contains("all_gather: rank 1 passed a float32 tensor"));
}

TEST_CASE("collectives refuse unsupported dtypes and operations", "[distributed][errors]") {
  CHECK_THROWS_WITH(dist::all_reduce(ag::zeros({2}, ag::kBool)), Contains("bool tensors are not supported"));
  CHECK_THROWS_WITH(dist::all_reduce(ag::zeros({2}, ag::kInt64), dist::ReduceOp::Mean),
                    Contains("ReduceOp::Mean needs a float32 or float64 tensor, got int64"));
  CHECK_THROWS_WITH(dist::broadcast(ag::zeros({2}), dist::world_size()),
                    Contains("source must be a rank in [0, " + std::to_string(dist::world_size())));
  CHECK_THROWS_WITH(dist::Environment(), Contains("one exists already"));
}

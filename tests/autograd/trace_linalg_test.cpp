// Traced products (dot, matmul in all its ranks, linear) replay bitwise what eager steps compute, values and
// gradients, including a weight whose gradient the backward adds into in place (the GEMM with beta = 1).

#include "../support/trace_check.hpp"

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {

using Inputs = std::vector<ag::Tensor>;

using trace_check::leaf;

// f on fresh leaves of `shapes`, recorded on one draw and replayed on another, in float32 and float64.
void check_product(const std::vector<ag::Shape>& shapes, const TracedFunction& f) {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO("dtype " << ag::dtype_name(dtype));
    Inputs recorded;
    Inputs replayed;
    for (const ag::Shape& shape : shapes) {
      recorded.push_back(leaf(shape, dtype));
      replayed.push_back(leaf(shape, dtype));
    }
    check_replay_matches_eager(f, recorded, replayed);
  }
}

ag::Tensor product(const Inputs& in) { return ag::matmul(in[0], in[1]); }

}  // namespace

TEST_CASE("a traced dot replays as eager", "[trace][trace-linalg]") {
  check_product({{5}, {5}}, [](const Inputs& in) { return ag::dot(in[0], in[1]); });
}

TEST_CASE("a traced matmul of matrices and vectors replays as eager", "[trace][trace-linalg]") {
  check_product({{3, 4}, {4, 5}}, product);
  check_product({{4}, {4, 5}}, product);
  check_product({{3, 4}, {4}}, product);
  check_product({{4}, {4}}, product);
  // Large enough for the library kernels rather than the loop (see kernels::gemm).
  check_product({{40, 30}, {30, 20}}, product);
}

TEST_CASE("a traced batched matmul replays as eager, its batch dims broadcast", "[trace][trace-linalg]") {
  check_product({{2, 3, 4}, {2, 4, 5}}, product);
  check_product({{2, 3, 4}, {4, 5}}, product);
  check_product({{3, 4}, {2, 4, 5}}, product);
  check_product({{2, 1, 3, 4}, {3, 4, 2}}, product);
}

TEST_CASE("a traced linear replays as eager, with and without bias", "[trace][trace-linalg]") {
  check_product({{3, 4}, {5, 4}}, [](const Inputs& in) { return ag::linear(in[0], in[1]); });
  check_product({{3, 4}, {5, 4}, {5}}, [](const Inputs& in) { return ag::linear(in[0], in[1], in[2]); });
  check_product({{2, 3, 4}, {5, 4}, {5}}, [](const Inputs& in) { return ag::linear(in[0], in[1], in[2]); });
  check_product({{4}, {5, 4}}, [](const Inputs& in) { return ag::linear(in[0], in[1]); });
}

TEST_CASE("a traced weight used twice replays its summed gradient as eager", "[trace][trace-linalg]") {
  // The second product's weight gradient is added by the GEMM into the first one's (beta = 1).
  check_product({{3, 4}, {3, 4}, {4, 5}}, [](const Inputs& in) {
    return product({in[0], in[2]}) + product({in[1], in[2]});
  });
  check_product({{3, 4}, {3, 4}, {5, 4}},
                [](const Inputs& in) { return ag::linear(in[0], in[2]) * ag::linear(in[1], in[2]); });
}

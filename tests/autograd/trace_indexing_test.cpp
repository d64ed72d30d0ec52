// Traced indexing and shape ops replay bitwise what eager steps compute, values and gradients. The index ops read
// their index values inside the replayed kernels: a replay with other index values picks other entries.

#include "../support/trace_check.hpp"

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace {

using Inputs = std::vector<ag::Tensor>;

using trace_check::leaf;

ag::Tensor int64(const ag::NestedValues& values) { return ag::tensor(values, ag::kInt64); }

// f on a float leaf of `shape` plus the fixed `extra` inputs (index tensors: recorded with `recorded_extra`,
// replayed with `replayed_extra`), in float32 and float64.
void check_with(const ag::Shape& shape, const Inputs& recorded_extra, const Inputs& replayed_extra,
                const TracedFunction& f) {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO("dtype " << ag::dtype_name(dtype));
    Inputs recorded{leaf(shape, dtype)};
    Inputs replayed{leaf(shape, dtype)};
    recorded.insert(recorded.end(), recorded_extra.begin(), recorded_extra.end());
    replayed.insert(replayed.end(), replayed_extra.begin(), replayed_extra.end());
    check_replay_matches_eager(f, recorded, replayed);
  }
}

void check_unary(const ag::Shape& shape, const std::function<ag::Tensor(const ag::Tensor&)>& f) {
  check_with(shape, {}, {}, [&](const Inputs& in) { return f(in[0]); });
}

}  // namespace

TEST_CASE("traced reshapes, permutes and expands replay as eager", "[trace][trace-indexing]") {
  check_unary({2, 3, 4}, [](const ag::Tensor& x) { return x.reshape({6, -1}); });
  check_unary({2, 3, 4}, [](const ag::Tensor& x) { return ag::view(x, {4, 6}); });
  check_unary({2, 3, 4}, [](const ag::Tensor& x) { return x.flatten(); });
  check_unary({2, 1, 4}, [](const ag::Tensor& x) { return x.squeeze(); });
  check_unary({2, 1, 4}, [](const ag::Tensor& x) { return x.squeeze(1).unsqueeze(0); });
  check_unary({2, 3, 4}, [](const ag::Tensor& x) { return x.permute({2, 0, 1}); });
  check_unary({2, 3, 4}, [](const ag::Tensor& x) { return x.transpose(0, 2); });
  check_unary({3, 4}, [](const ag::Tensor& x) { return x.t(); });
  check_unary({3, 1}, [](const ag::Tensor& x) { return x.expand({2, 3, 5}); });
}

TEST_CASE("traced concat and stack replay as eager along each dim", "[trace][trace-indexing]") {
  for (std::int64_t dim : {0, 1, -1}) {
    INFO("dim " << dim);
    check_with({2, 3}, {}, {}, [dim](const Inputs& in) {
      return ag::concat({in[0], in[0] * 2.0, in[0].slice(1, 0, 2).sum({1}, true).expand({2, 3})}, dim);
    });
    check_with({2, 3}, {}, {}, [dim](const Inputs& in) { return ag::stack({in[0], in[0].exp()}, dim); });
  }
  // Parts that are views into the middle of another tensor's values.
  check_with({4, 3}, {}, {}, [](const Inputs& in) { return ag::concat({in[0][2], in[0][0], in[0][3]}, 0); });
}

TEST_CASE("traced index, slice and narrow replay as eager", "[trace][trace-indexing]") {
  check_unary({3, 4}, [](const ag::Tensor& x) { return x[1]; });
  check_unary({3, 4}, [](const ag::Tensor& x) { return x[-1] * x[0]; });
  check_unary({4, 5}, [](const ag::Tensor& x) { return x.slice(0, 1, 3); });
  check_unary({4, 5}, [](const ag::Tensor& x) { return x.slice(1, 1, 5, 2); });
  check_unary({4, 5}, [](const ag::Tensor& x) { return x.slice(0, 0, 4, 3); });
  check_unary({4, 5}, [](const ag::Tensor& x) { return x.narrow(-1, 2, 2); });
}

TEST_CASE("traced gather and scatter_add replay as eager, reading the replayed index", "[trace][trace-indexing]") {
  const ag::Tensor recorded = int64({{0, 1, 2}, {1, 1, 0}});
  const ag::Tensor replayed = int64({{2, 0, 0}, {0, 2, 1}});
  check_with({2, 3}, {recorded}, {replayed}, [](const Inputs& in) { return ag::gather(in[0], 1, in[1]); });
  check_with({3, 3}, {recorded}, {replayed}, [](const Inputs& in) { return ag::gather(in[0], 0, in[1]); });
  check_with({2, 3}, {recorded}, {replayed},
             [](const Inputs& in) { return ag::scatter_add(in[0] * 0.5, 1, in[1], in[0].exp()); });
}

TEST_CASE("a traced index_select replayed with new index values picks the new rows", "[trace][trace-indexing]") {
  check_with({3, 4}, {int64({0, 1})}, {int64({2, 0})},
             [](const Inputs& in) { return ag::index_select(in[0], 0, in[1]); });
  check_with({3, 4}, {int64({0, 1})}, {int64({2, 0})},
             [](const Inputs& in) { return ag::index_select(in[0], 1, in[1]); });
}

TEST_CASE("a traced index_add replayed with new index values adds into the new rows", "[trace][trace-indexing]") {
  check_with({2, 4}, {int64({0, 1})}, {int64({2, 0})}, [](const Inputs& in) {
    return ag::index_add(ag::zeros({3, 4}, in[0].dtype()), 0, in[1], in[0]);
  });
  check_with({2, 4}, {int64({0, 1})}, {int64({1, 1})},
             [](const Inputs& in) { return ag::index_add(in[0].exp().t(), 1, in[1], in[0].t(), 0.5); });
}

TEST_CASE("a traced embedding replayed with new indices looks up the new rows", "[trace][trace-indexing]") {
  check_with({3, 4}, {int64({0, 1})}, {int64({2, 0})}, [](const Inputs& in) { return ag::embedding(in[1], in[0]); });
  check_with({5, 2}, {int64({{0, 1}, {4, 4}})}, {int64({{3, 2}, {2, 0}})},
             [](const Inputs& in) { return ag::embedding(in[1], in[0], 2); });
}

TEST_CASE("a traced index_select refuses at replay an index out of range", "[trace][trace-indexing]") {
  const ag::Tensor x = ag::randn({3, 4});
  ag::Trace trace = ag::trace(
      {x, int64({0, 1})}, [](const Inputs& in) { return std::vector<ag::Tensor>{ag::index_select(in[0], 0, in[1])}; });
  CHECK_THROWS_WITH(trace.replay({x, int64({0, 3})}), Catch::Contains("index_select: index 3"));
}

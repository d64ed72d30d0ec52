// Traced reductions, statistics, softmax and max/min replay bitwise what eager steps compute, values and gradients.

#include "../support/trace_check.hpp"

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

namespace {

using Inputs = std::vector<ag::Tensor>;

using trace_check::leaf;

// Integers in [-5, 5], with repeats, so that ties and equal extremes occur.
ag::Tensor integers(const ag::Shape& shape, ag::DType dtype) {
  ag::NoGradGuard no_grad;
  return (ag::randn(shape, ag::kFloat64) * 3.0).clamp(-5.0, 5.0).to(ag::kInt64).to(dtype);
}

// f on a fresh float leaf of `shape`, recorded on one draw and replayed on another, in float32 and float64.
void check_floating(const ag::Shape& shape, const std::function<ag::Tensor(const ag::Tensor&)>& f) {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO("dtype " << ag::dtype_name(dtype));
    check_replay_matches_eager([&](const Inputs& in) { return f(in[0]); }, {leaf(shape, dtype)}, {leaf(shape, dtype)});
  }
}

void check_integer(const ag::Shape& shape, ag::DType dtype, const std::function<ag::Tensor(const ag::Tensor&)>& f) {
  INFO("dtype " << ag::dtype_name(dtype));
  check_replay_matches_eager([&](const Inputs& in) { return f(in[0]); }, {integers(shape, dtype)},
                             {integers(shape, dtype)});
}

}  // namespace

TEST_CASE("traced sum and mean over all elements replay as eager", "[trace][trace-reduction]") {
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::sum(x); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::mean(x); });
  check_floating({}, [](const ag::Tensor& x) { return ag::sum(x); });
}

TEST_CASE("traced sum and mean over dims replay as eager, with and without keepdim", "[trace][trace-reduction]") {
  for (bool keepdim : {false, true}) {
    INFO("keepdim " << keepdim);
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::sum(x, {1}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::sum(x, {0, 2}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::sum(x, {-1}, keepdim); });
    check_floating({2, 1, 4}, [keepdim](const ag::Tensor& x) { return ag::sum(x, {1}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::mean(x, {0}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::mean(x, {1, 2}, keepdim); });
  }
}

TEST_CASE("traced sums of integer and bool tensors replay as eager", "[trace][trace-reduction]") {
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::sum(x); });
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::sum(x, {0}); });
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::cumsum(x, 1); });
  check_integer({3, 4}, ag::kBool, [](const ag::Tensor& x) { return ag::sum(x); });
  check_integer({3, 4}, ag::kBool, [](const ag::Tensor& x) { return ag::sum(x, {1}); });
  check_integer({3, 4}, ag::kBool, [](const ag::Tensor& x) { return ag::cumsum(x, 0); });
}

TEST_CASE("traced cumsum and sum_to_shape replay as eager", "[trace][trace-reduction]") {
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::cumsum(x, 0); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::cumsum(x, -1); });
  check_floating({2, 3, 4}, [](const ag::Tensor& x) { return ag::sum_to_shape(x, ag::Shape{3, 1}); });
  check_floating({2, 3}, [](const ag::Tensor& x) { return ag::sum_to_shape(x, ag::Shape{2, 3}); });
}

TEST_CASE("traced var, std, norm and logsumexp replay as eager", "[trace][trace-reduction]") {
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::var(x); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::var(x, {1}, 0.0, true); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::std(x, {0}); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::std(x, {1}, 1.0, true); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::norm(x); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::norm(x, 1.0, {1}); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::norm(x, 3.0, {0}, true); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::norm(x, INFINITY, {1}); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::logsumexp(x, {1}); });
  check_floating({3, 5}, [](const ag::Tensor& x) { return ag::logsumexp(x, {0, 1}, true); });
}

TEST_CASE("traced softmax and log_softmax replay as eager along each dim", "[trace][trace-reduction]") {
  for (std::int64_t dim : {0, 1, -1}) {
    INFO("dim " << dim);
    check_floating({2, 3, 4}, [dim](const ag::Tensor& x) { return ag::softmax(x, dim); });
    check_floating({2, 3, 4}, [dim](const ag::Tensor& x) { return ag::log_softmax(x, dim); });
  }
}

TEST_CASE("traced max, min, amax and amin replay as eager", "[trace][trace-reduction]") {
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::max(x); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::min(x); });
  for (bool keepdim : {false, true}) {
    INFO("keepdim " << keepdim);
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::amax(x, {1}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::amin(x, {0, 2}, keepdim); });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::max(x, 0, keepdim).values; });
    check_floating({2, 3, 4}, [keepdim](const ag::Tensor& x) { return ag::min(x, -1, keepdim).values; });
  }
  // Ties split the gradient; integer values make them likely.
  check_replay_matches_eager([](const Inputs& in) { return ag::amax(in[0], {1}); },
                             {integers({3, 6}, ag::kFloat64).requires_grad_(true)},
                             {integers({3, 6}, ag::kFloat64).requires_grad_(true)});
}

TEST_CASE("traced max and min along a dim replay the new indices", "[trace][trace-reduction]") {
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::max(x, 1).indices; });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::min(x, 0, true).indices; });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::argmax(x); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::argmin(x); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::argmax(x, 0); });
  check_floating({3, 4}, [](const ag::Tensor& x) { return ag::argmin(x, 1, true); });
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::amax(x, {1}); });
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::argmin(x, 1); });
  check_integer({3, 4}, ag::kInt64, [](const ag::Tensor& x) { return ag::max(x, 0).values; });
}

TEST_CASE("a traced max along a dim routes the gradient to the replayed extremes", "[trace][trace-reduction]") {
  // The recorded maxima are in column 0, the replayed ones in column 2: the gradient must follow the new ones.
  const ag::Tensor recorded = ag::tensor({{3.0, 1.0, 2.0}, {5.0, 4.0, 0.0}}, ag::kFloat64).requires_grad_(true);
  const ag::Tensor replayed = ag::tensor({{1.0, 2.0, 3.0}, {0.0, 4.0, 5.0}}, ag::kFloat64).requires_grad_(true);
  check_replay_matches_eager([](const Inputs& in) { return ag::max(in[0], 1).values; }, {recorded}, {replayed});
  check_replay_matches_eager([](const Inputs& in) { return ag::amax(in[0], {1}); }, {recorded}, {replayed});
}

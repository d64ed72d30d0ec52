// The losses of nn/functional.hpp in a trace: replays of each loss's forward and backward equal eager ones bitwise,
// and the checks of target and input values run again on every replay's values.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "trace_check.hpp"

#include <vector>

using Catch::Contains;
namespace F = ag::nn::functional;
using ag::nn::Reduction;

namespace {

ag::Tensor leaf(const ag::Tensor& values) { return values.detach().requires_grad_(true); }

const Reduction kReductions[] = {Reduction::Mean, Reduction::Sum, Reduction::None};

}  // namespace

TEST_CASE("traced regression losses replay as eager ones", "[trace][trace-nn]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    ag::manual_seed(1);
    const auto x = [&] { return leaf(ag::randn({4, 3}, ag::dtype(dtype))); };
    const auto y = [&] { return leaf(ag::randn({4, 3}, ag::dtype(dtype))); };
    const auto probability = [&] { return leaf(ag::rand({4, 3}, ag::dtype(dtype)) * 0.98 + 0.01); };
    const auto bits = [&] { return (ag::rand({4, 3}, ag::dtype(dtype)) > 0.5).to(dtype); };
    const auto signs = [&] { return (ag::rand({4, 3}, ag::dtype(dtype)) > 0.5).to(dtype) * 2.0 - 1.0; };
    for (const Reduction reduction : kReductions) {
      INFO("dtype " << ag::dtype_name(dtype) << ", reduction " << static_cast<int>(reduction));
      check_replay_matches_eager([&](const auto& in) { return F::mse_loss(in[0], in[1], reduction); }, {x(), y()},
                                 {x(), y()});
      check_replay_matches_eager([&](const auto& in) { return F::binary_cross_entropy(in[0], in[1], reduction); },
                                 {probability(), bits()}, {probability(), bits()});
      check_replay_matches_eager(
          [&](const auto& in) { return F::binary_cross_entropy_with_logits(in[0], in[1], reduction); }, {x(), bits()},
          {x(), bits()});
      check_replay_matches_eager([&](const auto& in) { return F::hinge_loss(in[0], in[1], reduction); }, {x(), signs()},
                                 {x(), signs()});
    }
  }
}

TEST_CASE("traced classification losses replay as eager ones", "[trace][trace-nn]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    ag::manual_seed(2);
    const auto logits = [&] { return leaf(ag::randn({5, 4}, ag::dtype(dtype))); };
    const auto classes = [] { return ag::tensor({3, 0, 1, 3, 2}, ag::dtype(ag::kInt64)); };
    const auto other_classes = [] { return ag::tensor({0, 2, 2, 1, 3}, ag::dtype(ag::kInt64)); };
    for (const Reduction reduction : kReductions) {
      INFO("dtype " << ag::dtype_name(dtype) << ", reduction " << static_cast<int>(reduction));
      check_replay_matches_eager([&](const auto& in) { return F::cross_entropy(in[0], in[1], reduction); },
                                 {logits(), classes()}, {logits(), other_classes()});
      check_replay_matches_eager(
          [&](const auto& in) { return F::nll_loss(ag::log_softmax(in[0], 1), in[1], reduction); },
          {logits(), classes()}, {logits(), other_classes()});
    }
  }
}

TEST_CASE("a traced loss checks each replay's targets and inputs", "[trace][trace-nn]") {
  ag::manual_seed(4);
  SECTION("cross_entropy: a class index out of range") {
    ag::Trace trace = ag::trace(
        {ag::randn({2, 3}), ag::tensor({0, 2}, ag::dtype(ag::kInt64))},
        [](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{F::cross_entropy(in[0], in[1])}; });
    CHECK_NOTHROW(trace.replay({ag::randn({2, 3}), ag::tensor({1, 1}, ag::dtype(ag::kInt64))}));
    CHECK_THROWS_WITH(trace.replay({ag::randn({2, 3}), ag::tensor({1, 3}, ag::dtype(ag::kInt64))}),
                      Contains("cross_entropy: target 3 at position 1 is not a class index for 3 classes"));
  }
  SECTION("binary_cross_entropy: an input out of [0, 1]") {
    ag::Trace trace = ag::trace({ag::full({3}, 0.5), ag::ones({3})}, [](const std::vector<ag::Tensor>& in) {
      return std::vector<ag::Tensor>{F::binary_cross_entropy(in[0], in[1])};
    });
    CHECK_THROWS_WITH(trace.replay({ag::tensor({0.5, 1.5, 0.25}), ag::ones({3})}),
                      Contains("input values must be probabilities in [0, 1], got values from 0.25 to 1.5"));
  }
  SECTION("hinge_loss: a target neither 1 nor -1") {
    ag::Trace trace = ag::trace({ag::randn({3}), ag::ones({3})}, [](const std::vector<ag::Tensor>& in) {
      return std::vector<ag::Tensor>{F::hinge_loss(in[0], in[1])};
    });
    CHECK_THROWS_WITH(trace.replay({ag::randn({3}), ag::tensor({1.0, 0.0, -1.0})}),
                      Contains("hinge_loss: targets must be 1 or -1, got 0"));
  }
}

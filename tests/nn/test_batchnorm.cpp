#include <nn/batchnorm.hpp>
#include <nn/optim/sgd.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "reference/norm_tensors.hpp"
#include "tensor_matchers.hpp"

#include <string>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// Replays the steps of make_norm_reference.py's batch_norm_case on `layer`, whose weights are loaded from it.
void check_against_pytorch(ag::nn::BatchNormBase& layer, const std::string& prefix) {
  if (layer.options().affine()) {
    ag::NoGradGuard no_grad;
    layer.weight.copy_(norm_reference::tensor(prefix + "_weight"));
    layer.bias.copy_(norm_reference::tensor(prefix + "_bias"));
  }
  layer.train();
  for (int step = 0; step < 3; ++step) {
    INFO(prefix << " training step " << step);
    const std::string name = prefix + "_train" + std::to_string(step);
    const ag::Tensor x = norm_reference::tensor(name + "_input").requires_grad_();
    const ag::Tensor out = layer(x);
    CHECK_THAT(out, norm_reference::matches(name + "_output"));
    if (step > 0) continue;
    ag::sum(out * norm_reference::tensor(prefix + "_out_weight")).backward();
    CHECK_THAT(x.grad(), norm_reference::matches(prefix + "_grad_input"));
    if (layer.options().affine()) {
      CHECK_THAT(layer.weight.grad(), norm_reference::matches(prefix + "_grad_weight"));
      CHECK_THAT(layer.bias.grad(), norm_reference::matches(prefix + "_grad_bias"));
    }
  }
  CHECK_THAT(layer.running_mean, norm_reference::matches(prefix + "_running_mean"));
  CHECK_THAT(layer.running_var, norm_reference::matches(prefix + "_running_var"));
  CHECK(layer.num_batches_tracked.dtype() == ag::kInt64);
  CHECK(layer.num_batches_tracked.item() == norm_reference::tensor(prefix + "_num_batches_tracked").item());

  layer.eval();
  const ag::Tensor x = norm_reference::tensor(prefix + "_eval_input").requires_grad_();
  const ag::Tensor out = layer(x);
  CHECK_THAT(out, norm_reference::matches(prefix + "_eval_output"));
  ag::sum(out).backward();
  CHECK_THAT(x.grad(), norm_reference::matches(prefix + "_eval_grad_input"));
  // Evaluation leaves the running statistics alone.
  CHECK_THAT(layer.running_mean, norm_reference::matches(prefix + "_running_mean"));
  CHECK(layer.num_batches_tracked.item() == 3.0);
}

const auto kDouble = [](std::int64_t features) { return ag::nn::BatchNormOptions(features).dtype(ag::kFloat64); };

}  // namespace

TEST_CASE("BatchNorm1d on [N, C] matches PyTorch in training and evaluation", "[nn][batchnorm]") {
  ag::nn::BatchNorm1d layer(kDouble(3));
  check_against_pytorch(layer, "bn1d_2d");
}

TEST_CASE("BatchNorm1d on [N, C, L] with momentum 0.2 matches PyTorch", "[nn][batchnorm]") {
  ag::nn::BatchNorm1d layer(kDouble(3).momentum(0.2));
  check_against_pytorch(layer, "bn1d_3d");
}

TEST_CASE("BatchNorm2d matches PyTorch in training and evaluation", "[nn][batchnorm]") {
  ag::nn::BatchNorm2d layer(kDouble(3));
  check_against_pytorch(layer, "bn2d");
}

TEST_CASE("BatchNorm2d without momentum averages all batches, as PyTorch's momentum=None", "[nn][batchnorm]") {
  ag::nn::BatchNorm2d layer(kDouble(2).momentum(std::nullopt).affine(false));
  check_against_pytorch(layer, "bn2d_cumulative");
}

TEST_CASE("BatchNorm has PyTorch's defaults", "[nn][batchnorm]") {
  const ag::nn::BatchNorm2d layer(32);
  CHECK(layer.options().eps() == 1e-5);
  CHECK(layer.options().momentum() == 0.1);
  CHECK(layer.options().affine());
  CHECK(layer.options().track_running_stats());
  CHECK(layer.weight.dtype() == ag::kFloat32);
  CHECK_THAT(layer.weight, HasValues(std::vector<double>(32, 1.0)));
  CHECK_THAT(layer.bias, HasValues(std::vector<double>(32, 0.0)));
  CHECK_THAT(layer.running_mean, HasValues(std::vector<double>(32, 0.0)));
  CHECK_THAT(layer.running_var, HasValues(std::vector<double>(32, 1.0)));
  CHECK(layer.num_batches_tracked.item() == 0.0);
  CHECK(layer.is_training());
  CHECK(layer.name() == "BatchNorm2d");
  CHECK(layer.extra_repr() == "32, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true");
}

TEST_CASE("BatchNorm's running statistics are buffers: in state_dict, not in parameters", "[nn][batchnorm]") {
  ag::nn::BatchNorm1d layer(4);
  const auto parameters = layer.named_parameters();
  REQUIRE(parameters.size() == 2);
  CHECK(parameters[0].first == "weight");
  CHECK(parameters[1].first == "bias");
  const auto buffers = layer.named_buffers();
  REQUIRE(buffers.size() == 3);
  CHECK(buffers[0].first == "running_mean");
  CHECK(buffers[1].first == "running_var");
  CHECK(buffers[2].first == "num_batches_tracked");
  CHECK_FALSE(layer.running_mean.requires_grad());

  std::vector<std::string> names;
  for (const auto& [name, tensor] : layer.state_dict()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});

  // An optimiser gets the parameters only, so a step moves the weight but not the running statistics.
  ag::optim::SGD sgd(layer.parameters(), ag::optim::SGDOptions(0.1));
  ag::manual_seed(41);
  ag::sum(layer(ag::randn({8, 4})) * ag::randn({8, 4})).backward();
  const std::vector<double> running_mean = layer.running_mean.to_vector();
  sgd.step();
  CHECK(layer.running_mean.to_vector() == running_mean);
  CHECK(layer.weight.to_vector() != std::vector<double>(4, 1.0));
}

TEST_CASE("BatchNorm without affine or running statistics registers neither", "[nn][batchnorm]") {
  ag::nn::BatchNorm1d plain(ag::nn::BatchNormOptions(3).affine(false));
  CHECK(plain.parameters().empty());
  CHECK_FALSE(plain.weight.defined());
  CHECK(plain.buffers().size() == 3);

  ag::nn::BatchNorm1d untracked(kDouble(3).track_running_stats(false));
  CHECK(untracked.parameters().size() == 2);
  CHECK(untracked.buffers().empty());
  // With no running statistics, evaluation normalises by the batch's own, as in PyTorch.
  untracked.eval();
  const ag::Tensor y = untracked(ag::tensor({{1.0, 2.0, 3.0}, {3.0, 6.0, 9.0}}, ag::kFloat64));
  CHECK_THAT(y, HasValues({-1, -1, -1, 1, 1, 1}, 1e-4));
}

TEST_CASE("BatchNorm's to(dtype) converts the statistics and keeps the count int64", "[nn][batchnorm]") {
  ag::nn::BatchNorm2d layer(3);
  layer(ag::randn({2, 3, 2, 2}));
  const ag::Tensor running_mean = layer.running_mean;
  layer.to(ag::kFloat64);
  CHECK(layer.weight.dtype() == ag::kFloat64);
  CHECK(layer.running_mean.dtype() == ag::kFloat64);
  CHECK(layer.running_var.dtype() == ag::kFloat64);
  CHECK(layer.num_batches_tracked.dtype() == ag::kInt64);
  CHECK(layer.num_batches_tracked.item() == 1.0);
  CHECK(layer.running_mean.is_same(running_mean));
  // The layer keeps working, and updating, in the new dtype.
  CHECK(layer(ag::randn({2, 3, 2, 2}, ag::kFloat64)).dtype() == ag::kFloat64);
  CHECK(layer.num_batches_tracked.item() == 2.0);
}

TEST_CASE("BatchNorm's state_dict loads into a fresh layer, which then evaluates the same", "[nn][batchnorm]") {
  ag::manual_seed(42);
  ag::nn::BatchNorm1d trained(kDouble(2));
  for (int step = 0; step < 3; ++step) trained(ag::randn({5, 2}, ag::kFloat64) * 3.0 + 1.0);
  ag::nn::BatchNorm1d fresh(kDouble(2));
  fresh.load_state_dict(trained.state_dict());
  trained.eval();
  fresh.eval();
  const ag::Tensor x = ag::randn({4, 2}, ag::kFloat64);
  CHECK(fresh(x).to_vector() == trained(x).to_vector());
  CHECK(fresh.num_batches_tracked.item() == 3.0);
}

TEST_CASE("BatchNorm names the layer and the shapes when misused", "[nn][batchnorm][errors]") {
  ag::nn::BatchNorm2d two(3);
  CHECK_THROWS_WITH(two(ag::zeros({2, 3, 4})),
                    StartsWith("BatchNorm2d: expected a 4-D [N, C, H, W] input, got shape [2, 3, 4]"));
  CHECK_THROWS_WITH(two(ag::zeros({2, 5, 4, 4})),
                    StartsWith("BatchNorm2d: input of shape [2, 5, 4, 4] has 5 channels, expected num_features = 3"));
  ag::nn::BatchNorm1d one(3);
  CHECK_THROWS_WITH(one(ag::zeros({2, 3, 4, 4})), StartsWith("BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L]"));
  CHECK_THROWS_WITH(one(ag::zeros({2, 4})), Contains("has 4 channels, expected num_features = 3"));
  CHECK_THROWS_WITH(one(ag::zeros({1, 3})), Contains("more than one value per channel"));
  // A refused batch leaves the layer as it was: it is not counted.
  CHECK(one.num_batches_tracked.item<std::int64_t>() == 0);
  CHECK_THAT(one.running_mean, HasValues({0.0, 0.0, 0.0}));
  CHECK_THROWS_WITH(ag::nn::BatchNorm1d(0), StartsWith("BatchNorm: num_features = 0 must be positive"));
}

#include <nn/normalization.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "reference/norm_tensors.hpp"
#include "tensor_matchers.hpp"

#include <string>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// Replays make_norm_reference.py's layer_norm_case on `layer`, whose weights are loaded from it.
void check_against_pytorch(ag::nn::LayerNorm& layer, const std::string& prefix) {
  const bool affine = layer.options().elementwise_affine();
  if (affine) {
    ag::NoGradGuard no_grad;
    layer.weight.copy_(norm_reference::tensor(prefix + "_weight"));
    layer.bias.copy_(norm_reference::tensor(prefix + "_bias"));
  }
  const ag::Tensor x = norm_reference::tensor(prefix + "_input").requires_grad_();
  const ag::Tensor out = layer(x);
  CHECK_THAT(out, norm_reference::matches(prefix + "_output"));
  ag::sum(out * norm_reference::tensor(prefix + "_out_weight")).backward();
  CHECK_THAT(x.grad(), norm_reference::matches(prefix + "_grad_input"));
  if (affine) {
    CHECK_THAT(layer.weight.grad(), norm_reference::matches(prefix + "_grad_weight"));
    CHECK_THAT(layer.bias.grad(), norm_reference::matches(prefix + "_grad_bias"));
  }
}

ag::nn::LayerNormOptions in_double(std::vector<std::int64_t> normalized_shape) {
  return ag::nn::LayerNormOptions(std::move(normalized_shape)).dtype(ag::kFloat64);
}

}  // namespace

TEST_CASE("LayerNorm over the last dimension matches PyTorch", "[nn][layer_norm]") {
  ag::nn::LayerNorm layer(in_double({5}));
  check_against_pytorch(layer, "ln_last");
}

TEST_CASE("LayerNorm over two dimensions with eps 1e-3 matches PyTorch", "[nn][layer_norm]") {
  ag::nn::LayerNorm layer(in_double({3, 5}).eps(1e-3));
  check_against_pytorch(layer, "ln_two");
}

TEST_CASE("LayerNorm without elementwise_affine matches PyTorch and has no parameters", "[nn][layer_norm]") {
  ag::nn::LayerNorm layer(in_double({4}).elementwise_affine(false));
  CHECK(layer.parameters().empty());
  CHECK_FALSE(layer.weight.defined());
  check_against_pytorch(layer, "ln_plain");
}

TEST_CASE("LayerNorm has PyTorch's defaults, names and the same behaviour in eval mode", "[nn][layer_norm]") {
  ag::nn::LayerNorm layer(ag::nn::LayerNormOptions({2, 3}));
  CHECK(layer.options().eps() == 1e-5);
  CHECK(layer.options().elementwise_affine());
  CHECK(layer.weight.shape() == ag::Shape{2, 3});
  CHECK_THAT(layer.weight, HasValues(std::vector<double>(6, 1.0)));
  CHECK_THAT(layer.bias, HasValues(std::vector<double>(6, 0.0)));
  CHECK(layer.weight.dtype() == ag::kFloat32);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : layer.state_dict()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"weight", "bias"});
  CHECK(layer.buffers().empty());
  CHECK(layer.name() == "LayerNorm");
  CHECK(layer.extra_repr() == "[2, 3], eps=1e-05, elementwise_affine=true");

  ag::manual_seed(51);
  const ag::Tensor x = ag::randn({4, 2, 3});
  const std::vector<double> trained = layer(x).to_vector();
  layer.eval();
  CHECK(layer(x).to_vector() == trained);
}

TEST_CASE("LayerNorm names the layer and the shapes when misused", "[nn][layer_norm][errors]") {
  ag::nn::LayerNorm layer(ag::nn::LayerNormOptions({4}));
  CHECK_THROWS_WITH(layer(ag::zeros({2, 3})),
                    StartsWith("layer_norm: input of shape [2, 3] does not end in normalized_shape [4]"));
  CHECK_THROWS_WITH(ag::nn::LayerNorm(ag::nn::LayerNormOptions({})),
                    StartsWith("LayerNorm: normalized_shape [] must be non-empty with positive dimensions"));
  CHECK_THROWS_WITH(ag::nn::LayerNorm(ag::nn::LayerNormOptions({3, 0})), Contains("normalized_shape [3, 0]"));
}

#include <autograd/autograd.hpp>
#include <autograd/ops/normalization.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <optional>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// Which of the optional per-channel (or per-element) tensors an op gets: weight, bias, both or neither.
struct Affine {
  bool weight;
  bool bias;
};
constexpr Affine kAffineCases[] = {{true, true}, {false, false}, {true, false}, {false, true}};

// The gradcheck inputs x, then the weight and the bias where present, and a function reading them back.
struct AffineArgs {
  AffineArgs(ag::Tensor x, const ag::Shape& affine_shape, Affine affine) {
    inputs.push_back(std::move(x));
    if (affine.weight) weight = add(ag::rand(affine_shape, ag::kFloat64) + 0.5);
    if (affine.bias) bias = add(ag::randn(affine_shape, ag::kFloat64));
  }
  std::size_t add(ag::Tensor t) {
    inputs.push_back(std::move(t));
    return inputs.size() - 1;
  }
  static ag::Tensor pick(const std::vector<ag::Tensor>& in, std::optional<std::size_t> index) {
    return index ? in[*index] : ag::Tensor();
  }
  std::vector<ag::Tensor> inputs;
  std::optional<std::size_t> weight;
  std::optional<std::size_t> bias;
};

}  // namespace

TEST_CASE("batch_norm in training passes gradcheck and gradgradcheck over shapes and affine cases",
          "[normalization][batch_norm][gradcheck]") {
  ag::manual_seed(11);
  for (const ag::Shape& shape : {ag::Shape{4, 3}, ag::Shape{3, 2, 4}, ag::Shape{2, 3, 2, 2}}) {
    for (const Affine affine : kAffineCases) {
      INFO(fmt::format("shape {}, weight {}, bias {}", shape, affine.weight, affine.bias));
      const AffineArgs args(normal(shape) * 2.0 + 1.0, ag::Shape{shape[1]}, affine);
      check_gradients_twice(
          [&](const auto& in) {
            return ag::batch_norm(in[0], {}, {}, AffineArgs::pick(in, args.weight), AffineArgs::pick(in, args.bias),
                                  true);
          },
          args.inputs);
    }
  }
  INFO("input reused: batch_norm(x) * x");
  check_gradients_twice([](const auto& in) { return ag::batch_norm(in[0], {}, {}, in[1], in[2], true) * in[0]; },
                        {normal({4, 2}), positive({2}), normal({2})});
}

TEST_CASE("batch_norm in evaluation passes gradcheck and gradgradcheck", "[normalization][batch_norm][gradcheck]") {
  ag::manual_seed(12);
  for (const ag::Shape& shape : {ag::Shape{4, 3}, ag::Shape{2, 3, 5}, ag::Shape{2, 3, 2, 2}}) {
    for (const Affine affine : kAffineCases) {
      INFO(fmt::format("shape {}, weight {}, bias {}", shape, affine.weight, affine.bias));
      const ag::Tensor running_mean = normal({shape[1]});
      const ag::Tensor running_var = positive({shape[1]});
      const AffineArgs args(normal(shape), ag::Shape{shape[1]}, affine);
      check_gradients_twice(
          [&](const auto& in) {
            return ag::batch_norm(in[0], running_mean, running_var, AffineArgs::pick(in, args.weight),
                                  AffineArgs::pick(in, args.bias), false);
          },
          args.inputs);
    }
  }
}

TEST_CASE("batch_norm in training gives each channel mean 0 and variance 1, then weight and bias",
          "[normalization][batch_norm]") {
  ag::manual_seed(13);
  const ag::Tensor x = normal({8, 3, 5}) * 4.0 + 2.0;
  const ag::Tensor y = ag::batch_norm(x, {}, {}, {}, {}, true, 0.1, 0.0);
  CHECK_THAT(ag::mean(y, {0, 2}), HasValues({0, 0, 0}, 1e-12));
  CHECK_THAT(ag::var(y, {0, 2}, 0.0), HasValues({1, 1, 1}, 1e-12));

  const ag::Tensor weight = ag::tensor({1.0, 2.0, 3.0}, ag::kFloat64);
  const ag::Tensor bias = ag::tensor({-1.0, 0.0, 1.0}, ag::kFloat64);
  const ag::Tensor affine = ag::batch_norm(x, {}, {}, weight, bias, true, 0.1, 0.0);
  CHECK_THAT(ag::mean(affine, {0, 2}), HasValues({-1, 0, 1}, 1e-12));
  CHECK_THAT(ag::var(affine, {0, 2}, 0.0), HasValues({1, 4, 9}, 1e-12));
}

TEST_CASE("batch_norm in float32 agrees with float64", "[normalization][batch_norm]") {
  ag::manual_seed(14);
  const ag::Tensor x = normal({64, 4, 9}) * 3.0 + 100.0;
  const ag::Tensor expected = ag::batch_norm(x, {}, {}, {}, {}, true);
  const ag::Tensor single = ag::batch_norm(x.to(ag::kFloat32), {}, {}, {}, {}, true);
  CHECK(single.dtype() == ag::kFloat32);
  CHECK_THAT(single.to(ag::kFloat64), HasValues(expected.to_vector(), 1e-4));
}

TEST_CASE("batch_norm updates the running statistics with momentum and the unbiased variance",
          "[normalization][batch_norm]") {
  ag::Tensor running_mean = ag::zeros({2}, ag::kFloat64);
  ag::Tensor running_var = ag::ones({2}, ag::kFloat64);
  // Channel 0 holds 1 and 3 (mean 2, unbiased variance 2), channel 1 holds 2 and 6 (mean 4, unbiased variance 8).
  const ag::Tensor x = ag::tensor({{1.0, 2.0}, {3.0, 6.0}}, ag::kFloat64);
  ag::batch_norm(x, running_mean, running_var, {}, {}, true, 0.1);
  CHECK_THAT(running_mean, HasValues({0.2, 0.4}));
  CHECK_THAT(running_var, HasValues({0.9 + 0.2, 0.9 + 0.8}));
  ag::batch_norm(x, running_mean, running_var, {}, {}, true, 0.5);
  CHECK_THAT(running_mean, HasValues({0.5 * 0.2 + 1.0, 0.5 * 0.4 + 2.0}));
  CHECK_THAT(running_var, HasValues({0.5 * 1.1 + 1.0, 0.5 * 1.7 + 4.0}));
}

TEST_CASE("batch_norm in evaluation uses the running statistics and leaves them alone", "[normalization][batch_norm]") {
  const ag::Tensor running_mean = ag::tensor({1.0, 2.0}, ag::kFloat64);
  const ag::Tensor running_var = ag::tensor({4.0, 9.0}, ag::kFloat64);
  const ag::Tensor x = ag::tensor({{3.0, 2.0}, {-1.0, 8.0}, {1.0, 5.0}}, ag::kFloat64);
  const ag::Tensor y = ag::batch_norm(x, running_mean, running_var, {}, {}, false, 0.1, 0.0);
  CHECK_THAT(y, HasValues({1.0, 0.0, -1.0, 2.0, 0.0, 1.0}));
  CHECK_THAT(running_mean, HasValues({1.0, 2.0}));
  CHECK_THAT(running_var, HasValues({4.0, 9.0}));
}

TEST_CASE("batch_norm in evaluation differentiates with the statistics it was called with",
          "[normalization][batch_norm]") {
  ag::Tensor running_mean = ag::tensor({1.0}, ag::kFloat64);
  ag::Tensor running_var = ag::tensor({4.0}, ag::kFloat64);
  const ag::Tensor x = ag::tensor({{3.0}, {5.0}}, ag::kFloat64);
  const ag::Tensor weight = ag::tensor({3.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  const ag::Tensor y = ag::batch_norm(x, running_mean, running_var, weight, {}, false, 0.1, 0.0);
  // A training step in between changes the running statistics; the gradient still uses mean 1 and std 2.
  ag::batch_norm(ag::tensor({{10.0}, {20.0}}, ag::kFloat64), running_mean, running_var, {}, {}, true, 0.5);
  ag::sum(y).backward();
  CHECK_THAT(weight.grad(), HasValues({(3.0 - 1.0) / 2.0 + (5.0 - 1.0) / 2.0}));
}

TEST_CASE("batch_norm is one recorded op whose input gradient is the closed form", "[normalization][batch_norm]") {
  ag::manual_seed(15);
  const ag::Tensor x = normal({5, 2, 3}).requires_grad_();
  const ag::Tensor weight = positive({2}).requires_grad_();
  const ag::Tensor bias = normal({2}).requires_grad_();
  const ag::Tensor y = ag::batch_norm(x, {}, {}, weight, bias, true);
  CHECK(std::string(y.op_name()) == "batch_norm");
  const ag::Tensor g = normal({5, 2, 3});
  ag::sum(y * g).backward();

  // The same gradients from primitive ops.
  const ag::Tensor xs = x.detach().requires_grad_();
  const ag::Tensor ws = weight.detach().requires_grad_();
  const ag::Tensor bs = bias.detach().requires_grad_();
  const ag::Tensor centered = xs - ag::mean(xs, {0, 2}, true);
  const ag::Tensor normalized = centered / ag::sqrt(ag::mean(centered * centered, {0, 2}, true) + 1e-5);
  ag::sum((normalized * ws.reshape({1, 2, 1}) + bs.reshape({1, 2, 1})) * g).backward();
  CHECK_THAT(x.grad(), HasValues(xs.grad().to_vector(), 1e-10));
  CHECK_THAT(weight.grad(), HasValues(ws.grad().to_vector(), 1e-10));
  CHECK_THAT(bias.grad(), HasValues(bs.grad().to_vector(), 1e-10));
}

TEST_CASE("batch_norm names the op and the shapes when misused", "[normalization][batch_norm][errors]") {
  const ag::Tensor x = ag::zeros({4, 3}, ag::kFloat64);
  const ag::Tensor three = ag::ones({3}, ag::kFloat64);
  CHECK_THROWS_WITH(ag::batch_norm(ag::zeros({3}, ag::kFloat64), {}, {}, {}, {}, true),
                    StartsWith("batch_norm: input of shape [3] has no channel dimension"));
  CHECK_THROWS_WITH(ag::batch_norm(x, {}, {}, ag::ones({4}, ag::kFloat64), {}, true),
                    Contains("batch_norm: weight has shape [4], but input of shape [4, 3] needs [3]"));
  CHECK_THROWS_WITH(ag::batch_norm(x, ag::zeros({2}, ag::kFloat64), three, {}, {}, true),
                    Contains("running_mean has shape [2]"));
  CHECK_THROWS_WITH(ag::batch_norm(x, {}, {}, {}, three.to(ag::kFloat32), true),
                    Contains("bias has dtype float32, but input has dtype float64"));
  CHECK_THROWS_WITH(ag::batch_norm(x, three, {}, {}, {}, true),
                    Contains("running_mean is defined but running_var is undefined"));
  CHECK_THROWS_WITH(ag::batch_norm(x, {}, {}, {}, {}, false),
                    Contains("evaluation (training = false) needs running_mean and running_var"));
  CHECK_THROWS_WITH(ag::batch_norm(ag::zeros({1, 3}, ag::kFloat64), {}, {}, {}, {}, true),
                    Contains("more than one value per channel, but input of shape [1, 3] has 1"));
  CHECK_THROWS_WITH(ag::batch_norm(ag::zeros({4, 3}, ag::kInt64), {}, {}, {}, {}, true),
                    Contains("batch_norm: input of shape [4, 3] has dtype int64"));
}

TEST_CASE("layer_norm passes gradcheck and gradgradcheck over shapes and affine cases",
          "[normalization][layer_norm][gradcheck]") {
  ag::manual_seed(21);
  const std::vector<std::pair<ag::Shape, std::vector<std::int64_t>>> cases = {
      {{2, 5}, {5}}, {{2, 3, 4}, {3, 4}}, {{4}, {4}}, {{2, 1, 3}, {3}}};
  for (const auto& [shape, normalized_shape] : cases) {
    for (const Affine affine : kAffineCases) {
      INFO(fmt::format("shape {}, normalized_shape [{}], weight {}, bias {}", shape, fmt::join(normalized_shape, ", "),
                       affine.weight, affine.bias));
      const AffineArgs args(normal(shape) * 2.0 - 1.0, ag::Shape(std::span<const std::int64_t>(normalized_shape)),
                            affine);
      check_gradients_twice(
          [&](const auto& in) {
            return ag::layer_norm(in[0], normalized_shape, AffineArgs::pick(in, args.weight),
                                  AffineArgs::pick(in, args.bias));
          },
          args.inputs);
    }
  }
  INFO("input reused: layer_norm(x) * x");
  check_gradients_twice([](const auto& in) { return ag::layer_norm(in[0], {3}, in[1], in[2]) * in[0]; },
                        {normal({2, 3}), positive({3}), normal({3})});
}

TEST_CASE("layer_norm gives each sample mean 0 and variance 1, then weight and bias", "[normalization][layer_norm]") {
  ag::manual_seed(22);
  const ag::Tensor x = normal({3, 2, 6}) * 5.0 + 3.0;
  const ag::Tensor y = ag::layer_norm(x, {2, 6}, {}, {}, 0.0);
  CHECK(std::string(ag::layer_norm(x.detach().requires_grad_(), {6}).op_name()) == "layer_norm");
  CHECK_THAT(ag::mean(y, {1, 2}), HasValues({0, 0, 0}, 1e-12));
  CHECK_THAT(ag::var(y, {1, 2}, 0.0), HasValues({1, 1, 1}, 1e-12));
  const ag::Tensor single = ag::layer_norm(x.detach().to(ag::kFloat32), {2, 6}, {}, {}, 0.0);
  CHECK_THAT(single.to(ag::kFloat64), HasValues(y.to_vector(), 1e-5));
}

TEST_CASE("layer_norm names the op and the shapes when misused", "[normalization][layer_norm][errors]") {
  const ag::Tensor x = ag::zeros({2, 3, 4}, ag::kFloat64);
  CHECK_THROWS_WITH(ag::layer_norm(x, {3}),
                    StartsWith("layer_norm: input of shape [2, 3, 4] does not end in normalized_shape [3]"));
  CHECK_THROWS_WITH(ag::layer_norm(x, {1, 2, 3, 4}), Contains("does not end in normalized_shape [1, 2, 3, 4]"));
  CHECK_THROWS_WITH(ag::layer_norm(x, {}), StartsWith("layer_norm: normalized_shape is empty"));
  CHECK_THROWS_WITH(ag::layer_norm(x, {3, 4}, ag::ones({4}, ag::kFloat64)),
                    Contains("layer_norm: weight has shape [4], but input of shape [2, 3, 4] needs [3, 4]"));
  CHECK_THROWS_WITH(ag::layer_norm(x, {4}, {}, ag::ones({4}, ag::kFloat32)),
                    Contains("layer_norm: bias has dtype float32, but input has dtype float64"));
  CHECK_THROWS_WITH(ag::layer_norm(ag::zeros({2, 4}, ag::kInt64), {4}), Contains("has dtype int64"));
}

TEST_CASE("batch_norm and layer_norm keep the values of their input and weight only", "[normalization][saved_values]") {
  ag::manual_seed(23);
  const ag::Tensor x0 = normal({8, 4}).requires_grad_();
  const ag::Tensor w0 = positive({4}).requires_grad_();
  const ag::Tensor b0 = normal({4}).requires_grad_();
  // x, the weight and the bias are made by ops, so that graph_bytes counts those the graph keeps once the loss's
  // statement has ended; the output, which sum holds for its shape only, is not kept either.
  const auto bytes_kept = [&](const auto& op) {
    const ag::Tensor loss = ag::sum(op(x0 * 2.0, w0 * 2.0, b0 * 2.0));
    return ag::graph_bytes(loss);
  };
  const std::int64_t expected = (32 + 4 + 1) * 8;  // x, the weight and the 0-d loss, in float64
  CHECK(bytes_kept([](const auto& x, const auto& w, const auto& b) { return ag::batch_norm(x, {}, {}, w, b, true); }) ==
        expected);
  CHECK(bytes_kept([](const auto& x, const auto& w, const auto& b) { return ag::layer_norm(x, {4}, w, b); }) ==
        expected);
}

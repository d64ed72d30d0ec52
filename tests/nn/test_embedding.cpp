#include <nn/embedding.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "reference/norm_tensors.hpp"
#include "tensor_matchers.hpp"

#include <cmath>
#include <string>

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("Embedding with padding_idx matches PyTorch's output and weight gradient", "[nn][embedding]") {
  ag::nn::Embedding layer(ag::nn::EmbeddingOptions(10, 4).padding_idx(1).dtype(ag::kFloat64));
  {
    ag::NoGradGuard no_grad;
    layer.weight.copy_(norm_reference::tensor("emb_weight"));
  }
  const ag::Tensor indices = norm_reference::tensor("emb_indices").to(ag::kInt64);
  const ag::Tensor out = layer(indices);
  CHECK(out.shape() == ag::Shape{2, 3, 4});
  CHECK_THAT(out, HasValues(norm_reference::tensor("emb_output").to_vector()));
  ag::sum(out * norm_reference::tensor("emb_out_weight")).backward();
  CHECK_THAT(layer.weight.grad(), HasValues(norm_reference::tensor("emb_grad_weight").to_vector()));
}

TEST_CASE("Embedding draws N(0, 1) and zeroes the padding row, as PyTorch", "[nn][embedding]") {
  ag::manual_seed(61);
  const ag::nn::Embedding layer(ag::nn::EmbeddingOptions(400, 50).padding_idx(-2));
  CHECK(layer.weight.shape() == ag::Shape{400, 50});
  CHECK(layer.weight.dtype() == ag::kFloat32);
  CHECK(layer.weight.requires_grad());
  CHECK_THAT(layer.weight[398], HasValues(std::vector<double>(50, 0.0)));
  CHECK(ag::mean(layer.weight).item() == Approx(0.0).margin(0.02));
  CHECK(ag::std(layer.weight).item() == Approx(1.0).margin(0.02));
  CHECK(layer.extra_repr() == "400, 50, padding_idx=398");
  CHECK(layer.options().padding_idx() == -2);
  std::vector<std::string> names;
  for (const auto& [name, tensor] : layer.state_dict()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"weight"});

  const ag::nn::Embedding plain(5, 3);
  CHECK_FALSE(plain.options().padding_idx().has_value());
  CHECK(plain.name() == "Embedding");
  CHECK(plain.extra_repr() == "5, 3");
}

TEST_CASE("Embedding sends no gradient to its padding row", "[nn][embedding]") {
  ag::nn::Embedding layer(ag::nn::EmbeddingOptions(4, 2).padding_idx(0));
  ag::sum(layer(ag::tensor({0, 2, 0, 3}, ag::kInt64))).backward();
  CHECK_THAT(layer.weight.grad(), HasValues({0, 0, 0, 0, 1, 1, 1, 1}));
}

TEST_CASE("Embedding names the layer or op and the values when misused", "[nn][embedding][errors]") {
  ag::nn::Embedding layer(5, 3);
  CHECK_THROWS_WITH(layer(ag::tensor({1, 5}, ag::kInt64)), StartsWith("embedding:") && Contains("5"));
  CHECK_THROWS_WITH(layer(ag::tensor({-1}, ag::kInt64)), StartsWith("embedding:") && Contains("-1"));
  CHECK_THROWS_WITH(layer(ag::tensor({1.0, 2.0})), StartsWith("embedding:") && Contains("int64"));
  CHECK_THROWS_WITH(ag::nn::Embedding(ag::nn::EmbeddingOptions(5, 3).padding_idx(5)),
                    StartsWith("Embedding: padding_idx = 5 is outside [-5, 5) (num_embeddings = 5)"));
  CHECK_THROWS_WITH(ag::nn::Embedding(0, 3),
                    StartsWith("Embedding: num_embeddings (0) and embedding_dim (3) must be positive"));
}

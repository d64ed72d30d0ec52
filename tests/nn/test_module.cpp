#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <sstream>

using Catch::Contains;

namespace {

// A user-defined model: a parameter of its own and a submodule that has its own submodules.
class TwoLayerNet : public ag::nn::Module {
 public:
  TwoLayerNet() {
    scale = register_parameter("scale", ag::ones({1}));
    layers = register_module("layers", std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(2, 3),
                                                                            std::make_shared<ag::nn::ReLU>(),
                                                                            std::make_shared<ag::nn::Linear>(3, 1)));
  }
  ag::Tensor forward(const ag::Tensor& x) { return layers->forward(x) * scale; }

  ag::Tensor scale;
  std::shared_ptr<ag::nn::Sequential> layers;
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, ag::Tensor>>& named) {
  std::vector<std::string> names;
  for (const auto& [name, _] : named) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("named_parameters lists own parameters first, then submodules' under dotted paths", "[nn][module]") {
  TwoLayerNet net;
  CHECK(names_of(net.named_parameters()) ==
        std::vector<std::string>{"scale", "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"});
  CHECK(names_of(net.named_parameters(/*recurse=*/false)) == std::vector<std::string>{"scale"});
  CHECK(net.parameters().size() == 5);
  CHECK(net.parameters()[1].is_same(std::static_pointer_cast<ag::nn::Linear>((*net.layers)[0])->weight));
}

TEST_CASE("registered parameters require grad and stay the same tensor the module holds", "[nn][module]") {
  TwoLayerNet net;
  for (const ag::Tensor& parameter : net.parameters()) CHECK(parameter.requires_grad());
  CHECK(net.named_parameters()[0].second.is_same(net.scale));

  ag::nn::Module frozen_holder;
  const ag::Tensor frozen = frozen_holder.register_parameter("frozen", ag::zeros({2}), /*requires_grad=*/false);
  CHECK_FALSE(frozen.requires_grad());
}

TEST_CASE("a tensor registered twice is listed once, so an optimiser updates it once", "[nn][module]") {
  ag::nn::Module module;
  const ag::Tensor shared = ag::ones({2});
  module.register_parameter("first", shared);
  module.register_parameter("second", shared);
  CHECK(names_of(module.named_parameters()) == std::vector<std::string>{"first"});
}

TEST_CASE("children and named_children list direct submodules only", "[nn][module]") {
  TwoLayerNet net;
  const auto named = net.named_children();
  REQUIRE(named.size() == 1);
  CHECK(named[0].first == "layers");
  CHECK(named[0].second == net.layers);
  CHECK(net.children().size() == 1);
  CHECK(net.layers->children().size() == 3);
}

TEST_CASE("train and eval switch the whole module tree", "[nn][module]") {
  TwoLayerNet net;
  CHECK(net.is_training());
  net.eval();
  CHECK_FALSE(net.is_training());
  CHECK_FALSE(net.layers->is_training());
  CHECK_FALSE((*net.layers)[1]->is_training());
  net.train();
  CHECK((*net.layers)[2]->is_training());
}

TEST_CASE("zero_grad drops the gradients of every parameter in the tree", "[nn][module]") {
  TwoLayerNet net;
  net.forward(ag::ones({4, 2})).sum().backward();
  for (const ag::Tensor& parameter : net.parameters()) REQUIRE(parameter.grad().defined());
  net.zero_grad();
  for (const ag::Tensor& parameter : net.parameters()) CHECK_FALSE(parameter.grad().defined());
}

TEST_CASE("a module's name is its class name, with settings in extra_repr", "[nn][module]") {
  CHECK(ag::nn::Linear(2, 3).name() == "Linear");
  CHECK(ag::nn::Linear(2, 3, ag::nn::LinearOptions().bias(false)).extra_repr() ==
        "in_features=2, out_features=3, bias=false");
  CHECK(ag::nn::Softmax(1).extra_repr() == "dim=1");
  CHECK_THAT(TwoLayerNet().name(), Contains("TwoLayerNet"));
}

TEST_CASE("summary shows the module tree, parameter shapes and the total count", "[nn][module]") {
  TwoLayerNet net;
  const std::string summary = net.summary();
  CHECK_THAT(summary, Contains("TwoLayerNet"));
  CHECK_THAT(summary, Contains("(layers): Sequential"));
  CHECK_THAT(summary, Contains("(0): Linear(in_features=2, out_features=3, bias=true)"));
  CHECK_THAT(summary, Contains("(1): ReLU"));
  CHECK_THAT(summary, Contains("weight  [3, 2]  6"));
  CHECK_THAT(summary, Contains("Total parameters: 14"));  // 1 + (6 + 3) + (3 + 1)
  CHECK(fmt::format("{}", net) == summary);
  CHECK(fmt::format("{}", *net.layers) == net.layers->summary());
  std::ostringstream stream;
  stream << net;
  CHECK(stream.str() == summary);
}

TEST_CASE("registering a clashing, dotted or non-leaf name is refused with the module named", "[nn][module][errors]") {
  ag::nn::Linear layer(2, 3);
  CHECK_THROWS_WITH(layer.register_parameter("weight", ag::ones({1})),
                    Contains("Linear") && Contains("'weight'") && Contains("already"));
  CHECK_THROWS_WITH(layer.register_parameter("a.b", ag::ones({1})), Contains("'a.b'") && Contains("'.'"));
  CHECK_THROWS_WITH(layer.register_module("", std::make_shared<ag::nn::ReLU>()), Contains("empty name"));
  const auto computed = ag::ones({2}, ag::requires_grad()) * 2.0;
  CHECK_THROWS_WITH(layer.register_parameter("scaled", computed), Contains("leaf") && Contains("mul"));
}

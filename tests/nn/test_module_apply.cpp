#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

TEST_CASE("Module::apply visits every module, each submodule's tree before its parent", "[nn][module]") {
  using ag::nn::Linear, ag::nn::ReLU, ag::nn::Sequential;
  auto inner = std::make_shared<Sequential>(std::make_shared<Linear>(2, 3), std::make_shared<ReLU>());
  Sequential model(inner, std::make_shared<Linear>(3, 1));
  std::vector<std::string> visited;
  ag::nn::Module& returned = model.apply([&](ag::nn::Module& module) { visited.push_back(module.name()); });
  CHECK(&returned == &model);
  // PyTorch's order: children first, depth first, the module itself last.
  CHECK(visited == std::vector<std::string>{"Linear", "ReLU", "Sequential", "Linear", "Sequential"});
}

TEST_CASE("Module::apply initialises parameters as a custom scheme says", "[nn][module]") {
  using ag::nn::Linear, ag::nn::ReLU, ag::nn::Sequential;
  Sequential model(std::make_shared<Linear>(4, 3), std::make_shared<ReLU>(), std::make_shared<Linear>(3, 2));
  model.apply([](ag::nn::Module& module) {
    if (auto* linear = dynamic_cast<Linear*>(&module)) {
      ag::NoGradGuard no_grad;
      linear->weight.fill_(0.5);
      linear->bias.zero_();
    }
  });
  for (const auto& [name, parameter] : model.named_parameters()) {
    INFO(name);
    const double expected = name.ends_with("weight") ? 0.5 : 0.0;
    for (double value : parameter.to_vector()) CHECK(value == expected);
  }
}

TEST_CASE("Module::apply passes on what the function throws", "[nn][module][errors]") {
  ag::nn::Sequential model(std::make_shared<ag::nn::Linear>(1, 1));
  int calls = 0;
  CHECK_THROWS_AS(model.apply([&](ag::nn::Module&) {
    ++calls;
    throw std::runtime_error("stop");
  }),
                  std::runtime_error);
  CHECK(calls == 1);
}

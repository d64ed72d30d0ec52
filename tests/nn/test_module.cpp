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

namespace {

// A layer with state that is not trained: a float running mean, an int64 count and a bool mask.
class Tracker : public ag::nn::Module {
 public:
  Tracker() {
    scale = register_parameter("scale", ag::ones({2}));
    running_mean = register_buffer("running_mean", ag::zeros({2}));
    seen = register_buffer("seen", ag::zeros({}, ag::kInt64));
    mask = register_buffer("mask", ag::ones({2}) > 0.5);
  }
  std::string name() const override { return "Tracker"; }

  ag::Tensor scale;
  ag::Tensor running_mean;
  ag::Tensor seen;
  ag::Tensor mask;
};

class TrackedNet : public ag::nn::Module {
 public:
  TrackedNet() {
    linear = register_module("linear", std::make_shared<ag::nn::Linear>(2, 2));
    tracker = register_module("tracker", std::make_shared<Tracker>());
  }
  std::string name() const override { return "TrackedNet"; }
  std::shared_ptr<ag::nn::Linear> linear;
  std::shared_ptr<Tracker> tracker;
};

}  // namespace

TEST_CASE("buffers are saved in the state dict but are not parameters", "[nn][module]") {
  TrackedNet net;
  CHECK(names_of(net.named_buffers()) ==
        std::vector<std::string>{"tracker.running_mean", "tracker.seen", "tracker.mask"});
  CHECK(net.named_buffers(/*recurse=*/false).empty());
  CHECK(net.buffers()[1].is_same(net.tracker->seen));
  CHECK(names_of(net.named_parameters()) == std::vector<std::string>{"linear.weight", "linear.bias", "tracker.scale"});
  CHECK(names_of(net.state_dict()) == std::vector<std::string>{"linear.weight", "linear.bias", "tracker.scale",
                                                               "tracker.running_mean", "tracker.seen", "tracker.mask"});
  CHECK_FALSE(net.tracker->running_mean.requires_grad());
  CHECK_THAT(net.summary(), Contains("Total parameters: 8"));  // 4 + 2 + 2: buffers are not counted
}

TEST_CASE("load_state_dict fills buffers of every dtype and checks them", "[nn][module]") {
  TrackedNet source;
  {
    ag::NoGradGuard no_grad;
    source.tracker->running_mean.fill_(0.25);
    source.tracker->seen.fill_(7);
    source.tracker->mask.copy_(ag::tensor({1.0, 0.0}) > 0.5);
  }
  TrackedNet target;
  target.load_state_dict(source.state_dict());
  CHECK(target.tracker->running_mean.to_vector() == std::vector<double>{0.25, 0.25});
  CHECK(target.tracker->seen.item<std::int64_t>() == 7);
  CHECK(target.tracker->mask.to_vector<bool>() == std::vector<bool>{true, false});

  auto state = source.state_dict();
  state.pop_back();
  CHECK_THROWS_WITH(target.load_state_dict(state, "s"), Contains("s: missing buffer 'tracker.mask' of TrackedNet"));
  state[4].second = ag::zeros({}, ag::kFloat64);
  CHECK_THROWS_WITH(target.load_state_dict(state, "s"),
                    Contains("s: buffer 'tracker.seen' is float64, but TrackedNet expects int64"));
  CHECK(target.tracker->seen.item<std::int64_t>() == 7);
}

TEST_CASE("to() converts floating parameters and buffers in place, and leaves integer buffers", "[nn][module]") {
  TrackedNet net;
  const ag::Tensor weight = net.linear->weight;
  const std::vector<double> weight_values = weight.to_vector();
  net.linear->forward(ag::ones({1, 2})).sum().backward();
  ag::optim::SGD sgd(net.parameters(), ag::optim::SGDOptions(0.1));

  CHECK(&net.to(ag::kFloat64) == &net);
  CHECK(net.linear->weight.is_same(weight));  // the same tensor, so handles and optimisers follow
  CHECK(weight.dtype() == ag::kFloat64);
  CHECK(weight.to_vector() == weight_values);  // float32 to float64 is exact
  CHECK(weight.is_leaf());
  CHECK(weight.requires_grad());
  CHECK_FALSE(weight.grad().defined());  // a float32 gradient would not fit
  CHECK(net.tracker->running_mean.dtype() == ag::kFloat64);
  CHECK(net.tracker->seen.dtype() == ag::kInt64);
  CHECK(net.tracker->mask.dtype() == ag::kBool);

  net.linear->forward(ag::ones({1, 2}, ag::kFloat64)).sum().backward();
  sgd.step();
  CHECK(weight.to_vector()[0] == Approx(weight_values[0] - 0.1));
  CHECK_THROWS_WITH(net.to(ag::kInt64), Contains("to() converts to float32 or float64, not int64"));
}

TEST_CASE("to() between a forward and its backward makes the backward throw", "[nn][module][inplace]") {
  TrackedNet net;
  auto loss = net.linear->forward(ag::ones({1, 2})).sum();
  net.to(ag::kFloat64);
  CHECK_THROWS_WITH(loss.backward(), Contains("linear backward: input 1 (shape [") &&
                                         Contains("was modified in place after the forward"));
}

TEST_CASE("register_buffer refuses a clashing name and a tensor that requires grad", "[nn][module][errors]") {
  Tracker tracker;
  CHECK_THROWS_WITH(tracker.register_buffer("scale", ag::ones({1})),
                    Contains("Tracker: a parameter named 'scale' is already registered"));
  CHECK_THROWS_WITH(tracker.register_parameter("seen", ag::ones({1})),
                    Contains("Tracker: a buffer named 'seen' is already registered"));
  CHECK_THROWS_WITH(tracker.register_buffer("trained", ag::ones({1}, ag::requires_grad())),
                    Contains("buffer 'trained' requires grad, but buffers are not trained"));
  CHECK_THROWS_WITH(tracker.register_buffer("none", ag::Tensor()),
                    Contains("register_buffer('none') got an undefined tensor"));
}

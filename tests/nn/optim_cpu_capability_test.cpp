// The optimisers' update loops compiled for AVX2 and AVX-512 give bitwise the values of the baseline (SSE2) loops,
// for every capability this CPU supports.

#include <nn/nn.hpp>
#include <nn/optim/cpu_capability.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <vector>

using ag::optim::CpuCapability;
using Catch::Contains;

namespace {

using MakeOptimizer = std::function<std::unique_ptr<ag::optim::Optimizer>(std::vector<ag::Tensor>)>;

// Sets a capability for its scope.
class CapabilityScope {
 public:
  explicit CapabilityScope(CpuCapability capability) { ag::optim::set_cpu_capability(capability); }
  ~CapabilityScope() { ag::optim::set_cpu_capability(previous_); }
  CapabilityScope(const CapabilityScope&) = delete;
  CapabilityScope& operator=(const CapabilityScope&) = delete;

 private:
  CpuCapability previous_ = ag::optim::cpu_capability();
};

// The values of the parameters and the state after five steps with `capability`'s loops, over float32 and float64
// parameters whose sizes leave a tail after every vector width.
std::vector<std::vector<double>> values_after_steps(CpuCapability capability, const MakeOptimizer& make) {
  CapabilityScope scope(capability);
  ag::manual_seed(11);
  std::vector<ag::Tensor> parameters;
  for (const auto& [shape, dtype] : {std::pair{ag::Shape{1013}, ag::kFloat32}, std::pair{ag::Shape{37}, ag::kFloat64},
                                     std::pair{ag::Shape{3, 5}, ag::kFloat32}}) {
    parameters.push_back(ag::randn(shape, ag::dtype(dtype)).requires_grad_(true));
  }
  auto optimizer = make(parameters);
  std::vector<std::vector<double>> values;
  for (int step = 0; step < 5; ++step) {
    optimizer->zero_grad();
    for (const ag::Tensor& parameter : parameters)
      (parameter * ag::randn(parameter.shape(), ag::dtype(parameter.dtype())) * parameter).sum().backward();
    optimizer->step();
  }
  for (const ag::Tensor& parameter : parameters) values.push_back(parameter.to_vector());
  for (const auto& [name, state] : optimizer->state_dict()) values.push_back(state.to_vector());
  return values;
}

void check_every_capability(const MakeOptimizer& make) {
  const auto baseline = values_after_steps(CpuCapability::Default, make);
  for (const CpuCapability capability : {CpuCapability::Avx2, CpuCapability::Avx512}) {
    if (!ag::optim::cpu_supports(capability)) continue;
    INFO("capability " << ag::optim::cpu_capability_name(capability));
    CHECK(values_after_steps(capability, make) == baseline);
  }
}

template <class O, class Options>
MakeOptimizer maker(Options options) {
  return [options](std::vector<ag::Tensor> parameters) { return std::make_unique<O>(std::move(parameters), options); };
}

}  // namespace

TEST_CASE("every capability's update loops give the baseline's values bitwise", "[optim][cpu-capability]") {
  using namespace ag::optim;
  SECTION("SGD") { check_every_capability(maker<SGD>(SGDOptions(0.1))); }
  SECTION("SGD with momentum, dampening and weight decay") {
    check_every_capability(maker<SGD>(SGDOptions(0.1).momentum(0.9).dampening(0.1).weight_decay(0.01)));
  }
  SECTION("SGD nesterov") { check_every_capability(maker<SGD>(SGDOptions(0.1).momentum(0.9).nesterov(true))); }
  SECTION("Adam") { check_every_capability(maker<Adam>(AdamOptions(0.01).weight_decay(0.1))); }
  SECTION("AdamW amsgrad") { check_every_capability(maker<AdamW>(AdamWOptions(0.01).amsgrad(true))); }
  SECTION("RMSprop") { check_every_capability(maker<RMSprop>(RMSpropOptions(0.01))); }
  SECTION("RMSprop centered with momentum") {
    check_every_capability(maker<RMSprop>(RMSpropOptions(0.01).centered(true).momentum(0.9).weight_decay(0.01)));
  }
}

TEST_CASE("the update loops use the best capability the CPU supports unless told otherwise",
          "[optim][cpu-capability]") {
  CHECK(std::string(ag::optim::cpu_capability_name(CpuCapability::Avx512)) == "avx512");
  CHECK(ag::optim::cpu_supports(CpuCapability::Default));
  CHECK(ag::optim::cpu_supports(ag::optim::cpu_capability()));
  for (const CpuCapability capability : {CpuCapability::Avx2, CpuCapability::Avx512})
    if (!ag::optim::cpu_supports(capability))
      CHECK_THROWS_WITH(ag::optim::set_cpu_capability(capability), Contains("this CPU does not support"));
}

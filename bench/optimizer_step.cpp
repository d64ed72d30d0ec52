// The time of one optimiser step over the Fashion-MNIST MLP's parameters (784*256+256 + 256*128+128 + 128*10+10
// float32 values) on one thread, for each optimiser of ag::optim. Beside each, in the same run, the same update
// composed of tensor ops, as SGD and Adam were written before their loops were fused: the ratio of the two is the
// gain of fusing (AdamW and RMSprop came with fused loops and have no composed row); and the fused loops for each
// instruction set the CPU supports (nn/optim/cpu_capability.hpp), whose ratio is the gain of wider vectors.
// Gradients are fixed, so every step does the same work.

#include "common/bench.hpp"

#include <nn/nn.hpp>
#include <nn/optim/cpu_capability.hpp>

#include <autograd/autograd.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
  return "unknown";
}

// The MLP's parameters, each with a fixed random gradient.
std::vector<ag::Tensor> mlp_parameters() {
  std::vector<ag::Tensor> parameters;
  for (const ag::Shape& shape :
       {ag::Shape{256, 784}, ag::Shape{256}, ag::Shape{128, 256}, ag::Shape{128}, ag::Shape{10, 128}, ag::Shape{10}}) {
    ag::Tensor parameter = ag::randn(shape).requires_grad_(true);
    (parameter * ag::randn(shape)).sum().backward();
    parameters.push_back(parameter);
  }
  return parameters;
}

// The updates as tensor ops, one pass over memory per op, as nn/src/optim was written before the fused loops.
class ComposedSgd {
 public:
  ComposedSgd(std::vector<ag::Tensor> parameters, double lr, double momentum)
      : parameters_(std::move(parameters)), buffers_(parameters_.size()), lr_(lr), momentum_(momentum) {}
  void step() {
    ag::NoGradGuard no_grad;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      ag::Tensor gradient = parameters_[i].grad();
      if (momentum_ != 0.0) {
        if (!buffers_[i].defined())
          buffers_[i] = gradient.clone();
        else
          buffers_[i].mul_(momentum_).add_(gradient);
        gradient = buffers_[i];
      }
      parameters_[i].add_(gradient, -lr_);
    }
  }

 private:
  std::vector<ag::Tensor> parameters_, buffers_;
  double lr_, momentum_;
};

class ComposedAdam {
 public:
  ComposedAdam(std::vector<ag::Tensor> parameters, double lr) : parameters_(std::move(parameters)), lr_(lr) {
    for (const ag::Tensor& parameter : parameters_) {
      exp_avg_.push_back(ag::zeros_like(parameter));
      exp_avg_sq_.push_back(ag::zeros_like(parameter));
    }
  }
  void step() {
    ag::NoGradGuard no_grad;
    ++step_;
    const double bias_correction1 = 1.0 - std::pow(0.9, step_);
    const double bias_correction2 = 1.0 - std::pow(0.999, step_);
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      const ag::Tensor& gradient = parameters_[i].grad();
      exp_avg_[i].mul_(0.9).add_(gradient, 0.1);
      exp_avg_sq_[i].mul_(0.999).add_(gradient * gradient, 0.001);
      const ag::Tensor denominator = ag::sqrt(exp_avg_sq_[i]) / std::sqrt(bias_correction2) + 1e-8;
      parameters_[i].add_(exp_avg_[i] / denominator, -lr_ / bias_correction1);
    }
  }

 private:
  std::vector<ag::Tensor> parameters_, exp_avg_, exp_avg_sq_;
  double lr_;
  int step_ = 0;
};

// This thread's CPU time in seconds: unlike the wall clock, it does not count the time other processes hold the core,
// which on a shared machine is most of a run's spread.
double thread_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Microseconds of thread CPU time per step, the best of `repetitions` runs of `steps` steps.
double step_microseconds(const std::function<void()>& step, std::int64_t steps, std::int64_t repetitions) {
  step();  // the first step allocates the state
  double best = 1e300;
  for (std::int64_t r = 0; r < repetitions; ++r) {
    const double start = thread_seconds();
    for (std::int64_t i = 0; i < steps; ++i) step();
    best = std::min(best, thread_seconds() - start);
  }
  return best / static_cast<double>(steps) * 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  ag::set_num_threads(1);
  ag::manual_seed(0);
  const std::int64_t steps = args.count("--steps", 20, 3);
  const std::int64_t repetitions = args.count("--repetitions", 30, 1);
  std::printf(
      "CPU: %s; update loops for %s (chosen at start-up; each supported one timed below); one thread; %d float32 "
      "values in 6 tensors; thread CPU time, best of %ld runs of %ld steps\n",
      cpu_model().c_str(), ag::optim::cpu_capability_name(ag::optim::cpu_capability()), 235146,
      static_cast<long>(repetitions), static_cast<long>(steps));

  using namespace ag::optim;
  const CpuCapability chosen = cpu_capability();
  std::vector<CpuCapability> capabilities;
  for (const CpuCapability capability : {CpuCapability::Default, CpuCapability::Avx2, CpuCapability::Avx512})
    if (cpu_supports(capability)) capabilities.push_back(capability);
  struct Row {
    std::string name;
    std::function<std::function<void()>(std::vector<ag::Tensor>)> fused, composed;
  };
  const auto stepping = [](auto optimizer) { return [optimizer]() { optimizer->step(); }; };
  const std::vector<Row> rows{
      {"sgd", [&](auto p) { return stepping(std::make_shared<SGD>(p, SGDOptions(0.01))); },
       [&](auto p) { return stepping(std::make_shared<ComposedSgd>(p, 0.01, 0.0)); }},
      {"sgd-momentum", [&](auto p) { return stepping(std::make_shared<SGD>(p, SGDOptions(0.01).momentum(0.9))); },
       [&](auto p) { return stepping(std::make_shared<ComposedSgd>(p, 0.01, 0.9)); }},
      {"adam", [&](auto p) { return stepping(std::make_shared<Adam>(p, AdamOptions(1e-3))); },
       [&](auto p) { return stepping(std::make_shared<ComposedAdam>(p, 1e-3)); }},
      {"adamw", [&](auto p) { return stepping(std::make_shared<AdamW>(p)); }, nullptr},
      {"rmsprop", [&](auto p) { return stepping(std::make_shared<RMSprop>(p, RMSpropOptions().momentum(0.9))); },
       nullptr},
  };
  for (const Row& row : rows) {
    // Side by side, alternating, so that all meet the same machine load: the composed update and the fused loops
    // for each instruction set.
    double composed = 1e300;
    std::vector<double> fused(capabilities.size(), 1e300);
    for (int round = 0; round < 4; ++round) {
      const auto run_composed = [&] {
        if (row.composed)
          composed = std::min(composed, step_microseconds(row.composed(mlp_parameters()), steps, repetitions));
      };
      if (round % 2 == 1) run_composed();  // each side goes first in half the rounds
      for (std::size_t k = 0; k < capabilities.size(); ++k) {
        const std::size_t which = round % 2 == 0 ? k : capabilities.size() - 1 - k;
        set_cpu_capability(capabilities[which]);
        fused[which] = std::min(fused[which], step_microseconds(row.fused(mlp_parameters()), steps, repetitions));
      }
      if (round % 2 == 0) run_composed();
    }
    set_cpu_capability(chosen);
    const double best = fused[static_cast<std::size_t>(std::find(capabilities.begin(), capabilities.end(), chosen) -
                                                       capabilities.begin())];
    bench::Details details;
    if (row.composed) details = {{"tensor_ops_us", bench::number(composed)}, {"ratio", bench::number(best / composed)}};
    for (std::size_t k = 0; k < capabilities.size(); ++k)
      details.emplace_back(std::string(cpu_capability_name(capabilities[k])) + "_us", bench::number(fused[k]));
    details.emplace_back("speedup_over_default", bench::number(fused[0] / best));
    bench::print_result("optimizer-step-" + row.name, "ours", best, "us", details);
  }
}

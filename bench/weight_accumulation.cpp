// What adding a weight's gradient into the running sum by the GEMM (beta = 1) saves, against computing it apart and
// adding it with add_grad: both in one process, side by side. The engine takes the second way whenever a gradient
// hook is registered anywhere, so a post-accumulate hook on a tensor outside the graph switches to it; the "no reuse"
// model, whose weights are each used once, shows what the switch itself costs (nothing to accumulate there).
// Models, float32, one thread: an RNN-like loop h = tanh(x_t · W_inᵀ + h · W_hhᵀ) over --steps time steps (both
// weights' gradients summed over the steps), and the MLP 784-256-10 with gradients accumulated over 4 micro-batches
// between zero_grad calls.

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <autograd/autograd.hpp>
#include <autograd/hooks.hpp>

#include <functional>
#include <string>
#include <vector>

namespace {

ag::Tensor weight(std::int64_t out, std::int64_t in) {
  ag::Tensor w = ag::randn({out, in}) * (1.0 / static_cast<double>(in));
  w.requires_grad_(true);
  return w;
}

struct Model {
  std::string name;
  std::vector<ag::Tensor> parameters;
  std::function<void()> step;  // forward and backward, without zero_grad
};

Model rnn(std::int64_t batch, std::int64_t hidden, std::int64_t steps, bool reuse) {
  Model model{reuse ? "rnn" : "rnn-no-reuse", {}, {}};
  const std::int64_t kinds = reuse ? 1 : steps;
  for (std::int64_t i = 0; i < kinds; ++i) model.parameters.push_back(weight(hidden, hidden));
  for (std::int64_t i = 0; i < kinds; ++i) model.parameters.push_back(weight(hidden, hidden));
  std::vector<ag::Tensor> inputs;
  for (std::int64_t t = 0; t < steps; ++t) inputs.push_back(ag::randn({batch, hidden}));
  model.step = [parameters = model.parameters, inputs, batch, hidden, kinds] {
    ag::Tensor h = ag::zeros({batch, hidden});
    for (std::size_t t = 0; t < inputs.size(); ++t) {
      const std::size_t k = t % static_cast<std::size_t>(kinds);
      h = ag::tanh(ag::linear(inputs[t], parameters[k]) + ag::linear(h, parameters[kinds + k]));
    }
    h.sum().backward();
  };
  return model;
}

Model accumulated_mlp(std::int64_t batch) {
  Model model{"mlp-accumulate-4", {weight(256, 784), weight(10, 256)}, {}};
  model.parameters.push_back(ag::zeros({256}).requires_grad_(true));
  model.parameters.push_back(ag::zeros({10}).requires_grad_(true));
  std::vector<ag::Tensor> inputs;
  for (int i = 0; i < 4; ++i) inputs.push_back(ag::randn({batch, 784}));
  model.step = [p = model.parameters, inputs] {
    for (const ag::Tensor& x : inputs)
      ag::linear(ag::relu(ag::linear(x, p[0], p[2])), p[1], p[3]).logsumexp({1}).sum().backward();
  };
  return model;
}

double microseconds_per_step(Model& model, std::int64_t iterations, std::int64_t repetitions) {
  return bench::best_seconds(repetitions,
                             [&] {
                               for (std::int64_t i = 0; i < iterations; ++i) {
                                 for (ag::Tensor& p : model.parameters) p.zero_grad();
                                 model.step();
                               }
                             }) /
         static_cast<double>(iterations) * 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--batch", "--hidden", "--steps", "--iterations", "--repetitions"});
  const std::int64_t batch = args.count("--batch", 32, 4);
  const std::int64_t hidden = args.count("--hidden", 256, 16);
  const std::int64_t steps = args.count("--steps", 16, 3);
  const std::int64_t iterations = args.count("--iterations", 50, 1);
  const std::int64_t repetitions = args.count("--repetitions", 7, 1);
  ag::set_num_threads(1);
  ag::manual_seed(0);

  std::vector<Model> models{rnn(batch, hidden, steps, true), rnn(batch, hidden, steps, false), accumulated_mlp(batch)};
  const ag::Tensor outside = ag::zeros({1}).requires_grad_(true);
  for (Model& model : models) {
    // Alternated, so that both ways see the same state of the machine.
    double in_place = 1e300;
    double apart = 1e300;
    for (int round = 0; round < 3; ++round) {
      in_place = std::min(in_place, microseconds_per_step(model, iterations, repetitions));
      const ag::HookHandle hook = ag::register_post_accumulate_grad_hook(outside, [](const ag::Tensor&) {});
      apart = std::min(apart, microseconds_per_step(model, iterations, repetitions));
    }
    const bench::Details details{{"batch", std::to_string(batch)},
                                 {"hidden", std::to_string(hidden)},
                                 {"steps", std::to_string(steps)},
                                 {"us_apart", bench::number(apart)},
                                 {"speedup", bench::number(apart / in_place)},
                                 {"kernel", bench::onednn_kernel() + "-sgemm+" + bench::openblas_kernel()}};
    bench::print_result("weight-accumulation-" + model.name, "ours", in_place, "us/step", details);
  }
}

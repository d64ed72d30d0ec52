// The two-moons training step built from scalar nodes, as micrograd builds it: moons::ScalarMLP and
// moons::train_step, every weight, bias and activation a 0-d float64 tensor. Reports the time per graph node,
// forward and backward together (the whole step divided by the nodes it records).

#include "common/bench.hpp"
#include "common/moons_setup.hpp"

#include <autograd/threads.hpp>

#include <unordered_set>
#include <vector>

namespace {

// The distinct graph nodes behind `output`, walked through the public grad_fn() and Node::inputs().
std::int64_t count_nodes(const ag::Tensor& output) {
  std::unordered_set<const ag::Node*> seen;
  std::vector<const ag::Node*> pending;
  const auto visit = [&](const ag::Node* node) {
    if (node != nullptr && seen.insert(node).second) pending.push_back(node);
  };
  visit(output.grad_fn());
  while (!pending.empty()) {
    const ag::Node* node = pending.back();
    pending.pop_back();
    for (const ag::Tensor& input : node->inputs())
      if (input.defined()) visit(input.grad_fn());
  }
  return static_cast<std::int64_t>(seen.size());
}

// The nodes one train_step records (see examples/moons/moons.cpp): per point the forward pass and 4 for its hinge
// term (mul, rsub, relu, add into the running sum); per parameter 3 for the L2 term (mul, sum, add); and 3 at the
// end (the division by the count, the 1e-4 scaling, the final add).
std::int64_t nodes_per_step(const moons::ScalarMLP& model, const moons::Dataset& data) {
  const std::int64_t forward = count_nodes(model.forward({data.points[0][0], data.points[0][1]}));
  const auto parameters = static_cast<std::int64_t>(model.parameters().size());
  return data.points.size(0) * (forward + 4) + 3 * parameters + 3;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  ag::set_num_threads(1);
  const moons::Dataset data = bench::moons_data();
  const moons::ScalarMLP model(*bench::moons_initial_model());
  ag::optim::SGD sgd(model.parameters(), ag::optim::SGDOptions(bench::kMoonsLearningRate));
  const std::int64_t nodes = nodes_per_step(model, data);
  const double first_loss = moons::train_step(model, sgd, data, bench::kMoonsLearningRate).loss;

  const std::int64_t steps = args.count("--steps", 20, 1);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) moons::train_step(model, sgd, data, bench::kMoonsLearningRate);
  });
  const double step_seconds = seconds / static_cast<double>(steps);
  bench::print_result("moons-scalar", "ours", step_seconds / static_cast<double>(nodes) * 1e9, "ns/node",
                      {{"nodes_per_step", bench::number(static_cast<double>(nodes))},
                       {"ms_per_step", bench::number(step_seconds * 1e3)},
                       {"first_loss", bench::number(first_loss)}});
}

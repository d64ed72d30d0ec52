// micrograd's two-moons demo: a user-written MLP trained with a hinge loss, as batched tensors and again
// built neuron by neuron from scalar nodes, both from the same initial weights.

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "common/args.hpp"
#include "common/plot.hpp"
#include "moons/moons.hpp"

namespace {

// The trained model's class on a grid over the data, for the decision-boundary picture.
std::vector<examples::ClassifiedPoint> decision_field(moons::TensorMLP& model) {
  constexpr int kSteps = 120;
  std::vector<double> grid;
  for (int iy = 0; iy < kSteps; ++iy)
    for (int ix = 0; ix < kSteps; ++ix) {
      grid.push_back(-2.0 + 5.0 * ix / (kSteps - 1));
      grid.push_back(-1.5 + 3.5 * iy / (kSteps - 1));
    }
  ag::NoGradGuard no_grad;
  const auto scores = model.forward(ag::from_vector(grid, {kSteps * kSteps, 2}, ag::kFloat64)).to_vector();
  std::vector<examples::ClassifiedPoint> field;
  for (std::size_t i = 0; i < scores.size(); ++i) field.push_back({grid[2 * i], grid[2 * i + 1], scores[i] > 0});
  return field;
}

std::vector<examples::ClassifiedPoint> data_points(const moons::Dataset& data) {
  std::vector<examples::ClassifiedPoint> points;
  for (std::int64_t i = 0; i < data.points.size(0); ++i)
    points.push_back({data.points.at({i, 0}), data.points.at({i, 1}), data.labels.at({i}) > 0});
  return points;
}

// Runs `steps` training steps, `step(learning_rate)` each, and returns the last accuracy.
template <class Step>
double train(const char* variant, std::int64_t steps, Step&& step) {
  const auto start = std::chrono::steady_clock::now();
  moons::StepResult last{};
  for (std::int64_t i = 0; i < steps; ++i) {
    last = step(moons::learning_rate_at(i, steps));
    if (i % 10 == 0 || i + 1 == steps)
      fmt::print("{:>6} step {:>3}: loss {:.6f}, accuracy {:.0f}%\n", variant, i, last.loss, 100 * last.accuracy);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("{:>6}: {} steps in {:.2f} s\n\n", variant, steps, seconds);
  return last.accuracy;
}

int moons_main(int argc, char** argv) {
  examples::Args args("moons", "micrograd's two-moons MLP, trained as tensors and as scalar nodes.");
  args.flag("steps", "100", "full-batch training steps")
      .flag("points", "100", "points in the generated dataset")
      .flag("seed", "1", "seed for the data and the initial weights")
      .flag("variant", "both", "tensor, scalar or both")
      .flag("out", "out/moons", "folder for decision_boundary.png");
  if (!args.parse(argc, argv)) return 0;
  const std::string variant = args.text("variant");
  if (variant != "tensor" && variant != "scalar" && variant != "both")
    throw examples::UsageError(fmt::format("--variant expects tensor, scalar or both, got '{}'", variant));
  const std::int64_t steps = args.integer("steps", 1);
  const auto seed = static_cast<std::uint64_t>(args.integer("seed"));
  const std::filesystem::path out = args.text("out");

  const moons::Dataset data = moons::make_moons(args.integer("points", 2), 0.1, seed);
  moons::TensorMLP model;
  fmt::print("{}\n", model.summary());
  moons::ScalarMLP scalar_model(model);  // the same initial weights, one node per number

  if (variant != "scalar") {
    ag::optim::SGD sgd(model.parameters(), ag::optim::SGDOptions(1.0));
    const double accuracy = train(
        "tensor", steps, [&](double learning_rate) { return moons::train_step(model, sgd, data, learning_rate); });
    std::filesystem::create_directories(out);
    const auto png = out / "decision_boundary.png";
    if (examples::plot_decision_png(png,
                                    fmt::format("Two moons: tensor MLP, {:.0f}% training accuracy", 100 * accuracy),
                                    decision_field(model), data_points(data)))
      fmt::print("wrote {}\n\n", png.string());
  }
  if (variant != "tensor")
    train("scalar", steps, [&](double learning_rate) { return moons::train_step(scalar_model, data, learning_rate); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_example(moons_main, argc, argv); }

// The "build a neural network from scratch with NumPy" tutorial, step by step, with the framework deriving
// the gradients that the tutorial works out by hand.

#include <fmt/format.h>

#include <filesystem>

#include "common/args.hpp"
#include "common/plot.hpp"
#include "tutorial/tutorial.hpp"

namespace {

void heading(const char* title) { fmt::print("\n== {} ==\n", title); }

void print_steps_1_to_4(const std::filesystem::path& out) {
  heading("Step 1: dot products");
  const auto dots = tutorial::step1_dot_products();
  // Printed in full, as Python prints a float: float64 rounding shows in the last digits, as in NumPy.
  fmt::print("dot([1.72, 1.23], weights_1 = [1.26, 0])    = {}   (tutorial: 2.1672)\n", dots.with_weights_1);
  fmt::print("dot([1.72, 1.23], weights_2 = [2.17, 0.32]) = {}   (tutorial: 4.1259...)\n", dots.with_weights_2);

  heading("Step 2: a two-layer network");
  const auto predictions = tutorial::step2_predictions();
  fmt::print("predict([1.66, 1.56]) = {:.7f}   (tutorial: 0.7985731, target 1: right)\n", predictions.right);
  fmt::print("predict([2, 1.5])     = {:.8f}  (tutorial: 0.87101915, target 0: wrong)\n", predictions.wrong);

  heading("Step 3: the error and one step downhill");
  const auto step3 = tutorial::step3_error_and_update();
  fmt::print("mse        = {:.10f}         from the full prediction\n", step3.mse);
  fmt::print("mse        = {}   from the printed 0.87101915 (tutorial: 0.7586743596667225)\n",
             step3.mse_of_printed_prediction);
  fmt::print("derivative = {:.7f}            (tutorial: 1.7420383)\n", step3.derivative);
  fmt::print(
      "after weights - derivative: prediction = {:.8f} (tutorial: 0.01496248), error = {:.8f} "
      "(tutorial: 0.00022388)\n",
      step3.updated_prediction, step3.updated_error);

  heading("Step 4: the chain rule, by hand and by the engine");
  const auto chain = tutorial::step4_chain_rule();
  fmt::print("The engine explains the chain rule from the graph:\n{}{}", chain.weights_explained, chain.bias_explained);
  fmt::print("\n{:<20} {:>20} {:>20}\n", "", "by hand (tutorial)", "by backward()");
  fmt::print("{:<20} {:>20.10f} {:>20.10f}\n", "derror_dbias", chain.derror_dbias_by_hand,
             chain.derror_dbias_by_engine);
  for (std::size_t i = 0; i < chain.derror_dweights_by_hand.size(); ++i)
    fmt::print("{:<20} {:>20.10f} {:>20.10f}\n", fmt::format("derror_dweights[{}]", i),
               chain.derror_dweights_by_hand[i], chain.derror_dweights_by_engine[i]);
  const std::filesystem::path dot_file = out / "tutorial_graph.dot";
  const std::filesystem::path svg = out / "tutorial_graph.svg";
  examples::write_text(dot_file, chain.graph_dot);
  fmt::print("graph: {}{}\n", dot_file.string(), examples::render_svg(dot_file, svg) ? " and " + svg.string() : "");
}

void print_step_5(const tutorial::TrainingSettings& settings, const std::filesystem::path& out) {
  heading("Step 5: training by online stochastic gradient descent");
  const auto result = tutorial::step5_train(settings);
  fmt::print("{}", result.summary);
  for (std::size_t k = 0; k < result.iterations.size(); k += 10)
    fmt::print("iteration {:>6}: cumulative error {:.6f}\n", result.iterations[k], result.cumulative_errors[k]);

  const auto inputs = tutorial::training_inputs();
  const auto targets = tutorial::training_targets();
  fmt::print("\n{:<12} {:>8} {:>12}\n", "input", "target", "prediction");
  for (std::size_t i = 0; i < result.predictions.size(); ++i) {
    const auto row = static_cast<std::int64_t>(i);
    fmt::print("[{:>3}, {:>3}] {:>8} {:>12.6f}\n", inputs.at({row, 0}), inputs.at({row, 1}), targets.at({row}),
               result.predictions[i]);
  }

  const examples::Series cumulative{"cumulative error", result.iterations, result.cumulative_errors};
  examples::write_csv(out / "cumulative_error.csv", "iteration", {cumulative});
  const bool drawn =
      examples::plot_png(out / "cumulative_error.png",
                         {"Cumulative error", "Iterations", "Error for all training instances"}, {cumulative});
  fmt::print("\nwrote {}{}\n", (out / "cumulative_error.csv").string(),
             drawn ? " and " + (out / "cumulative_error.png").string() : "");
}

int tutorial_main(int argc, char** argv) {
  examples::Args args("tutorial", "The NumPy neural-network tutorial, with gradients from the autograd engine.");
  args.flag("iterations", "10000", "training iterations of online SGD in step 5")
      .flag("learning-rate", "0.1", "SGD learning rate in step 5")
      .flag("seed", "42", "seed for the initial weights and the order of the training instances")
      .flag("out", "out/tutorial", "folder for cumulative_error.png/.csv and the graph drawings")
      .toggle("replay", "record the first training step with ag::trace and replay it (same numbers, bitwise)");
  if (!args.parse(argc, argv)) return 0;
  const tutorial::TrainingSettings settings{args.integer("iterations", 1), args.real("learning-rate"),
                                            static_cast<std::uint64_t>(args.integer("seed")), args.enabled("replay")};
  const std::filesystem::path out = args.text("out");
  std::filesystem::create_directories(out);
  ag::set_default_dtype(ag::kFloat64);  // the tutorial computes in float64, as NumPy does

  print_steps_1_to_4(out);
  print_step_5(settings, out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_example(tutorial_main, argc, argv); }

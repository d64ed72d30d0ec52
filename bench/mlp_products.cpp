// The matrix products of one training step of the Fashion-MNIST MLP 784-256-128-10 at --batch (default 64) on
// --threads threads (default 1), run through the kernels ag's linear runs them on (ag::kernels::gemm, the library's
// internal entry point), on buffers of their own: the share of the sgemm ceiling that the step's products reach.
// The step runs 8 products: per layer the forward x · Wᵀ (added to the bias: beta = 1) and the weight gradient gᵀ · x,
// and the input gradient g · W of the two upper layers (nothing needs the gradient of the input batch).

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <autograd/autograd.hpp>

#include "kernels.hpp"

#include <array>
#include <string>
#include <vector>

namespace {

constexpr std::array<std::int64_t, 4> kWidths = {784, 256, 128, 10};

struct Product {
  bool transpose_a, transpose_b;
  std::int64_t m, n, k;
  float beta;
  std::vector<float> a, b, c;
};

Product product(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, float beta) {
  const auto size = [](std::int64_t rows, std::int64_t cols) { return static_cast<std::size_t>(rows * cols); };
  return {transpose_a,
          transpose_b,
          m,
          n,
          k,
          beta,
          std::vector<float>(size(m, k), 0.5f),
          std::vector<float>(size(k, n), 0.25f),
          std::vector<float>(size(m, n), 0.0f)};
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--batch", "--threads", "--repetitions"});
  const std::int64_t batch = args.count("--batch", 64, 64);
  const int threads = static_cast<int>(args.count("--threads", 1, 1));
  ag::set_num_threads(threads);

  std::vector<Product> products;
  for (std::size_t layer = 0; layer + 1 < kWidths.size(); ++layer)
    products.push_back(product(false, true, batch, kWidths[layer + 1], kWidths[layer], 1.0f));
  for (std::size_t layer = kWidths.size() - 1; layer-- > 0;) {
    products.push_back(product(true, false, kWidths[layer + 1], kWidths[layer], batch, 0.0f));
    if (layer > 0) products.push_back(product(false, false, batch, kWidths[layer], kWidths[layer + 1], 0.0f));
  }
  double flops = 0;
  for (const Product& p : products) flops += 2.0 * static_cast<double>(p.m * p.n * p.k);

  const std::int64_t steps = args.quick() ? 2 : 32768 / batch;
  const double seconds = bench::best_seconds(args.count("--repetitions", 7, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step)
      for (Product& p : products)
        ag::kernels::gemm(p.transpose_a, p.transpose_b, p.m, p.n, p.k, p.a.data(), p.b.data(), p.c.data(), p.beta);
  });
  const double step_seconds = seconds / static_cast<double>(steps);
  bench::print_result("mlp-products-b" + std::to_string(batch) + "-t" + std::to_string(threads), "ours",
                      flops / step_seconds * 1e-9, "GFLOP/s",
                      {{"threads", std::to_string(threads)},
                       {"us_per_step", bench::number(step_seconds * 1e6)},
                       {"kernel", bench::onednn_kernel() + "-sgemm"}});
}

// The ceiling for the Fashion-MNIST benchmark: the GFLOP/s OpenBLAS's single-precision matrix product reaches
// on one thread for a large square product (1024 x 1024 x 1024 unless --size says otherwise).

#include "common/bench.hpp"

#include <cblas.h>

#include <vector>

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--size", "--repetitions"});
  openblas_set_num_threads(1);
  const std::int64_t n = args.count("--size", 1024, 128);
  const auto count = static_cast<std::size_t>(n * n);
  std::vector<float> a(count, 0.5f), b(count, 0.25f), c(count, 0.0f);
  const auto size = static_cast<blasint>(n);
  const double seconds = bench::best_seconds(args.count("--repetitions", 10, 1), [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f,
                c.data(), size);
  });
  bench::print_result("sgemm", "openblas", 2.0 * static_cast<double>(n * n * n) / seconds * 1e-9, "GFLOP/s",
                      {{"size", std::to_string(n)}, {"threads", "1"}});
}

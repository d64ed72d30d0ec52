// The ceiling for the dense benchmarks: the GFLOP/s that each single-precision matrix product on this machine reaches
// for a large square product (1024 x 1024 x 1024 unless --size says otherwise) on --threads threads (default 1):
// OpenBLAS's cblas_sgemm on the core type it picked (bench/run runs this program again with OPENBLAS_CORETYPE set to
// each core type the CPU supports, for this measurement only), and oneDNN's dnnl_sgemm. bench/run takes the best as
// the ceiling. With OPENBLAS_CORETYPE set, only OpenBLAS is measured: oneDNN does not read it.

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#ifdef AG_DNNL_OPENMP
#include <omp.h>
#endif

#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--size", "--repetitions", "--threads"});
  const int threads = static_cast<int>(args.count("--threads", 1, 1));
  openblas_set_num_threads(threads);
#ifdef AG_DNNL_OPENMP
  omp_set_num_threads(threads);
#endif
  const std::int64_t n = args.count("--size", 1024, 128);
  const std::int64_t repetitions = args.count("--repetitions", 10, 1);
  const auto count = static_cast<std::size_t>(n * n);
  std::vector<float> a(count, 0.5f), b(count, 0.25f), c(count, 0.0f);
  const double flops = 2.0 * static_cast<double>(n * n * n);
  const bench::Details details{{"size", std::to_string(n)}, {"threads", std::to_string(threads)}};

  const auto size = static_cast<blasint>(n);
  const double openblas_seconds = bench::best_seconds(repetitions, [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, a.data(), size, b.data(), size, 0.0f,
                c.data(), size);
  });
  bench::Details openblas_details = details;
  openblas_details.emplace_back("kernel", bench::openblas_kernel());
  bench::print_result("sgemm-t" + std::to_string(threads), bench::openblas_kernel(), flops / openblas_seconds * 1e-9,
                      "GFLOP/s", openblas_details);
  if (std::getenv("OPENBLAS_CORETYPE")) return 0;

  const double onednn_seconds = bench::best_seconds(
      repetitions, [&] { dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n); });
  bench::Details onednn_details = details;
  onednn_details.emplace_back("kernel", bench::onednn_kernel() + "-sgemm");
  bench::print_result("sgemm-t" + std::to_string(threads), "onednn", flops / onednn_seconds * 1e-9, "GFLOP/s",
                      onednn_details);
}

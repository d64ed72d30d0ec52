#include <autograd/error.hpp>
#include <autograd/threads.hpp>

#include <cblas.h>

#include "kernels.hpp"

namespace ag {

// Both libraries the products run on: OpenBLAS (float64, and small float32 products) and oneDNN (larger float32
// products, and the convolutions).
void set_num_threads(int threads) {
  if (threads < 1) fail("set_num_threads: expects at least 1 thread, got {}", threads);
  openblas_set_num_threads(threads);
  kernels::set_dnnl_threads(threads);
}

int get_num_threads() { return openblas_get_num_threads(); }

}  // namespace ag

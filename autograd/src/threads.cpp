#include <autograd/error.hpp>
#include <autograd/threads.hpp>

#include <cblas.h>

namespace ag {

void set_num_threads(int threads) {
  if (threads < 1) fail("set_num_threads: expects at least 1 thread, got {}", threads);
  openblas_set_num_threads(threads);
}

int get_num_threads() { return openblas_get_num_threads(); }

}  // namespace ag

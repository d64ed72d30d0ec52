#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

namespace ag {

/// Sets how many threads the kernels may use, the matrix products of OpenBLAS and oneDNN included, on every thread. The
/// library's own elementwise kernels run on the calling thread. Throws ag::Error if `threads` is below 1.
void set_num_threads(int threads);
/// The number of threads set by set_num_threads (OpenBLAS's own default until then).
int get_num_threads();

}  // namespace ag

#pragma GCC visibility pop

#pragma once

namespace ag {

// How many threads the kernels may use, OpenBLAS's matrix products included. The library's own elementwise
// kernels run on the calling thread.
void set_num_threads(int threads);
int get_num_threads();

}  // namespace ag

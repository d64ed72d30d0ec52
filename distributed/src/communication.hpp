#pragma once

// What the collectives and DistributedDataParallel share: MPI's type of a dtype, and waiting on a request with the
// job's timeout.

#include <autograd/dtype.hpp>

#include <mpi.h>

namespace ag::distributed::detail {

// The MPI datatype of float32, float64 and int64 tensors; throws ag::Error naming `op` for any other dtype.
MPI_Datatype mpi_type(DType dtype, const char* op);

// Waits for `request` to complete. After the Environment's timeout without completion it aborts the job with a
// message naming this rank and `op`: a dead or stuck rank must not leave the others waiting forever.
void wait(MPI_Request& request, const char* op);

// Throws ag::Error unless an Environment exists.
void check_initialized(const char* op);

}  // namespace ag::distributed::detail

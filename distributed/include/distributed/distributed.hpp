#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <autograd/tensor.hpp>

#include <string>

/// Data-parallel training over MPI, as torch.distributed: the processes of an `mpirun` job, their ranks, and the
/// collectives that combine tensors across them. Every rank must call each collective in the same order with
/// tensors of the same shape and dtype. A rank that dies ends the job (mpirun kills the others and names it); a
/// rank that stops answering makes the others abort after InitOptions::timeout_seconds, naming the operation.
namespace ag::distributed {

/// How all_reduce combines the ranks' values, as torch.distributed.ReduceOp.
enum class ReduceOp {
  Sum,   ///< the sum over the ranks (ReduceOp.SUM)
  Mean,  ///< the sum divided by world_size(), for float32 and float64 only (ReduceOp.AVG)
};

/// Chainable settings of Environment: InitOptions().timeout_seconds(60).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class InitOptions {
  /// How long a collective waits for the other ranks before it prints which rank waited in which operation and
  /// aborts the whole job (MPI_Abort), as init_process_group's timeout (default 600 s). Must be positive.
  ///@{
  AG_ARG(double, timeout_seconds) = 600.0;
  ///@}
};

/// Joins the MPI job for its lifetime, as torch.distributed.init_process_group and destroy_process_group: MPI_Init
/// when made, MPI_Finalize when destroyed. One per process, made before any other call here; a process started
/// without mpirun is a job of one rank. Destroyed while an exception unwinds, it aborts the whole job instead
/// (MPI_Abort), since the other ranks would wait forever for this one: catch and report errors before that.
class Environment {
 public:
  /// Initialises MPI with `argc` and `argv` (which mpirun may rewrite). Throws ag::Error if an Environment exists,
  /// MPI was finalised already, or options.timeout_seconds() is not positive.
  Environment(int& argc, char**& argv, InitOptions options = {});
  /// As the other constructor, without the command line.
  explicit Environment(InitOptions options = {});
  /// Finalises MPI (or aborts the job during stack unwinding, as the class says).
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
};

/// Whether an Environment exists.
bool is_initialized();
/// This process's rank, 0 to world_size() - 1. Throws ag::Error without an Environment.
int rank();
/// The number of processes in the job. Throws ag::Error without an Environment.
int world_size();

/// Combines `tensor` across the ranks in place: afterwards every rank holds the same sum (or mean) of all ranks'
/// values. For float32, float64 and int64 tensors outside any graph (the write is not recorded). Throws ag::Error,
/// on every rank, if the ranks' shapes or dtypes differ, the dtype is not supported, or Mean is asked of int64.
void all_reduce(const Tensor& tensor, ReduceOp op = ReduceOp::Sum);
/// Copies rank `source`'s values of `tensor` into every other rank's `tensor`, in place. Throws ag::Error, on every
/// rank, if `source` is not a rank, or the ranks' shapes or dtypes differ.
void broadcast(const Tensor& tensor, int source = 0);
/// Waits until every rank has called it.
void barrier();
/// Every rank's `tensor`, stacked: shape [world_size(), tensor's shape...], row r from rank r, on every rank (as
/// all_gather_into_tensor). Throws ag::Error, on every rank, if the ranks' shapes or dtypes differ.
Tensor all_gather(const Tensor& tensor);

/// Prints "rank <r>: <message>" to stderr and ends every process of the job at once (MPI_Abort with
/// `exit_code`): for an error on one rank that the others cannot learn of, and would wait for forever. Without an
/// Environment it ends only this process (std::exit).
[[noreturn]] void abort(const std::string& message, int exit_code = 1);

}  // namespace ag::distributed

#pragma GCC visibility pop

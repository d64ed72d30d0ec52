#include <autograd/creation.hpp>
#include <autograd/error.hpp>
#include <distributed/distributed.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
#include <type_traits>
#include <vector>

#include "communication.hpp"

namespace ag::distributed {

namespace {

struct State {
  bool active = false;
  bool owns_mpi = false;  // false when the program had initialised MPI itself: it finalises it too
  double timeout_seconds = 0;
  int rank = 0;
  int world_size = 1;
};

State state;

void start(int* argc, char*** argv, const InitOptions& options) {
  if (state.active) fail("distributed::Environment: one exists already; make one per process");
  if (!(options.timeout_seconds() > 0))
    fail("distributed::Environment: timeout_seconds must be positive, got {}", options.timeout_seconds());
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) fail("distributed::Environment: MPI was finalised already and cannot start again in this process");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    // MPI is called only from this thread; the kernels' threads never call it.
    int provided = 0;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  }
  state.owns_mpi = !initialized;
  state.timeout_seconds = options.timeout_seconds();
  MPI_Comm_rank(MPI_COMM_WORLD, &state.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &state.world_size);
  state.active = true;
}

// What each rank tells the others of its tensor before a collective: dtype, dimension count and sizes.
using Descriptor = std::array<std::int64_t, 2 + kMaxDims>;

Descriptor describe(const Tensor& tensor) {
  Descriptor descriptor{};
  descriptor[0] = static_cast<std::int64_t>(tensor.dtype());
  descriptor[1] = tensor.dim();
  std::copy(tensor.shape().begin(), tensor.shape().end(), descriptor.begin() + 2);
  return descriptor;
}

std::string describe_text(const Descriptor& descriptor) {
  std::vector<std::int64_t> dims(descriptor.begin() + 2, descriptor.begin() + 2 + descriptor[1]);
  return fmt::format("a {} tensor of shape [{}]", dtype_name(static_cast<DType>(descriptor[0])), fmt::join(dims, ", "));
}

// Throws on every rank, naming the first rank that differs, unless all ranks pass tensors of one shape and dtype:
// a collective over mismatched buffers would read or write past them.
void check_same_everywhere(const Tensor& tensor, const char* op) {
  const Descriptor mine = describe(tensor);
  std::vector<Descriptor> all(static_cast<std::size_t>(state.world_size));
  MPI_Request request;
  MPI_Iallgather(mine.data(), mine.size(), MPI_INT64_T, all.data(), mine.size(), MPI_INT64_T, MPI_COMM_WORLD, &request);
  detail::wait(request, op);
  for (std::size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0])
      fail("distributed::{}: rank {} passed {}, but rank 0 passed {}; every rank must pass the same shape and dtype",
           op, r, describe_text(all[r]), describe_text(all[0]));
}

// MPI counts elements in an int.
int element_count(const Tensor& tensor, const char* op) {
  if (tensor.numel() > std::numeric_limits<int>::max())
    fail("distributed::{}: the tensor has {} elements; MPI takes at most {} in one call", op, tensor.numel(),
         std::numeric_limits<int>::max());
  return static_cast<int>(tensor.numel());
}

}  // namespace

namespace detail {

MPI_Datatype mpi_type(DType dtype, const char* op) {
  switch (dtype) {
    case DType::Float32:
      return MPI_FLOAT;
    case DType::Float64:
      return MPI_DOUBLE;
    case DType::Int64:
      return MPI_INT64_T;
    case DType::Bool:
      break;
  }
  fail("distributed::{}: {} tensors are not supported; use float32, float64 or int64", op, dtype_name(dtype));
}

void wait(MPI_Request& request, const char* op) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const auto limit = std::chrono::duration<double>(state.timeout_seconds);
  for (;;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    if (Clock::now() - start > limit)
      distributed::abort(
          fmt::format("distributed::{}: no answer from the other ranks within {} s: a rank has died or "
                      "stopped responding; ending the job",
                      op, state.timeout_seconds));
    // Lets an oversubscribed core run the rank this one waits for.
    std::this_thread::yield();
  }
}

void check_initialized(const char* op) {
  if (!state.active)
    fail("distributed::{}: no distributed::Environment; make one at the start of main (and run under mpirun)", op);
}

}  // namespace detail

Environment::Environment(int& argc, char**& argv, InitOptions options) { start(&argc, &argv, options); }

Environment::Environment(InitOptions options) { start(nullptr, nullptr, options); }

Environment::~Environment() {
  state.active = false;
  if (std::uncaught_exceptions() > 0) MPI_Abort(MPI_COMM_WORLD, 1);
  if (state.owns_mpi) MPI_Finalize();
}

bool is_initialized() { return state.active; }

int rank() {
  detail::check_initialized("rank");
  return state.rank;
}

int world_size() {
  detail::check_initialized("world_size");
  return state.world_size;
}

void all_reduce(const Tensor& tensor, ReduceOp op) {
  detail::check_initialized("all_reduce");
  const MPI_Datatype type = detail::mpi_type(tensor.dtype(), "all_reduce");
  if (op == ReduceOp::Mean && tensor.dtype() == kInt64)
    fail("distributed::all_reduce: ReduceOp::Mean needs a float32 or float64 tensor, got int64; use ReduceOp::Sum");
  check_same_everywhere(tensor, "all_reduce");
  Tensor values = tensor;
  dispatch_numeric(tensor.dtype(), "distributed", [&]<class T>(T) {
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, values.mutable_data<T>(), element_count(values, "all_reduce"), type, MPI_SUM,
                   MPI_COMM_WORLD, &request);
    detail::wait(request, "all_reduce");
    if constexpr (std::is_floating_point_v<T>) {
      if (op != ReduceOp::Mean) return;
      T* data = values.mutable_data<T>();
      for (std::int64_t i = 0; i < values.numel(); ++i) data[i] /= static_cast<T>(state.world_size);
    }
  });
}

void broadcast(const Tensor& tensor, int source) {
  detail::check_initialized("broadcast");
  if (source < 0 || source >= state.world_size)
    fail("distributed::broadcast: source must be a rank in [0, {}), got {}", state.world_size, source);
  const MPI_Datatype type = detail::mpi_type(tensor.dtype(), "broadcast");
  check_same_everywhere(tensor, "broadcast");
  Tensor values = tensor;
  dispatch_numeric(tensor.dtype(), "distributed", [&]<class T>(T) {
    MPI_Request request;
    MPI_Ibcast(values.mutable_data<T>(), element_count(values, "broadcast"), type, source, MPI_COMM_WORLD, &request);
    detail::wait(request, "broadcast");
  });
}

void barrier() {
  detail::check_initialized("barrier");
  MPI_Request request;
  MPI_Ibarrier(MPI_COMM_WORLD, &request);
  detail::wait(request, "barrier");
}

Tensor all_gather(const Tensor& tensor) {
  detail::check_initialized("all_gather");
  const MPI_Datatype type = detail::mpi_type(tensor.dtype(), "all_gather");
  check_same_everywhere(tensor, "all_gather");
  Shape shape{state.world_size};
  for (const std::int64_t dim : tensor.shape()) shape.push_back(dim);
  Tensor gathered = empty(shape, tensor.dtype());
  dispatch_numeric(tensor.dtype(), "distributed", [&]<class T>(T) {
    const int count = element_count(tensor, "all_gather");
    MPI_Request request;
    MPI_Iallgather(tensor.data<T>(), count, type, gathered.mutable_data<T>(), count, type, MPI_COMM_WORLD, &request);
    detail::wait(request, "all_gather");
  });
  return gathered;
}

void abort(const std::string& message, int exit_code) {
  std::fflush(stdout);
  std::fprintf(stderr, "rank %d: %s\n", state.rank, message.c_str());
  std::fflush(stderr);
  if (!state.active) std::exit(exit_code);  // no job to end
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::terminate();  // MPI_Abort does not return
}

}  // namespace ag::distributed

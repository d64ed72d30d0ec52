// The MPI tests' runner: every rank of `mpirun -np N` runs the same Catch2 session inside one
// distributed::Environment, so each test case calls the collectives on all ranks in the same order. Rank 0 reports;
// the others report only failures.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <autograd/creation.hpp>
#include <distributed/distributed.hpp>

int main(int argc, char** argv) {
  ag::distributed::Environment environment(argc, argv, ag::distributed::InitOptions().timeout_seconds(60));
  Catch::Session session;
  if (const int error = session.applyCommandLine(argc, argv)) return error;
  if (ag::distributed::rank() != 0) session.configData().reporterName = "compact";
  const int failures = session.run();
  // A rank that failed a check while the others passed still ends the job with a failure.
  const ag::Tensor failed = ag::scalar(static_cast<double>(failures > 0), ag::kFloat64);
  ag::distributed::all_reduce(failed);
  return failed.item() > 0 ? 1 : 0;
}

// --distributed in a build without MPI: the flag is refused, and nothing else of distributed.hpp is reached.

#include "fashion_mnist/distributed.hpp"

#include "common/args.hpp"

namespace fashion_mnist {

namespace {
[[noreturn]] void refuse() {
  throw examples::UsageError(
      "--distributed needs a build with MPI: install libopenmpi-dev and openmpi-bin, then configure again");
}
}  // namespace

Ranks join_distributed(std::int64_t) { refuse(); }

int leave_distributed(int exit_code) { return exit_code; }

ag::nn::DataLoader rank_loader(const ag::nn::TensorDataset&, std::int64_t, std::uint64_t, const Ranks&) { refuse(); }

std::shared_ptr<ag::nn::UnaryModule> data_parallel(std::shared_ptr<ag::nn::UnaryModule>) { refuse(); }

std::string communication_report(const ag::nn::UnaryModule&, double) { refuse(); }

}  // namespace fashion_mnist

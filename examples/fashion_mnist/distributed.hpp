#pragma once

// --distributed: data-parallel training over the ranks of `mpirun -np N`. Each rank trains a replica of the model on
// its share of every global batch of --batch-size images (DistributedSampler), DistributedDataParallel averages the
// gradients, rank 0 alone prints and writes the checkpoint, and every rank resumes from it. A build without MPI
// refuses the flag.

#include <nn/nn.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace fashion_mnist {

// This process's place in the run: rank 0 of 1 without --distributed.
struct Ranks {
  int rank = 0;
  int world_size = 1;
};

// Joins the mpirun job, checks that the global batch of `batch_size` images splits evenly over the ranks, and sends
// the standard output of every rank but 0 to /dev/null, so that the progress is printed once. Throws
// examples::UsageError in a build without MPI or for an uneven split.
Ranks join_distributed(std::int64_t batch_size);

// Ends the job once the example returned `exit_code`: MPI_Finalize after success; after a failure (whose message is
// printed already) MPI_Abort, which ends the other ranks too, since they would wait for this one. Returns
// `exit_code`; without --distributed it only returns it.
int leave_distributed(int exit_code);

// Batches of this rank's share of `train`: batch_size / world_size images per step, together the single-process
// run's batches of that epoch.
ag::nn::DataLoader rank_loader(const ag::nn::TensorDataset& train, std::int64_t batch_size, std::uint64_t seed,
                               const Ranks& ranks);

// `model` wrapped in DistributedDataParallel, which copies rank 0's parameters to every rank and averages the
// gradients during backward.
std::shared_ptr<ag::nn::UnaryModule> data_parallel(std::shared_ptr<ag::nn::UnaryModule> model);

// "waited X s of Y s of training for the gradients' all-reduces (Z%)" for a model of data_parallel.
std::string communication_report(const ag::nn::UnaryModule& trained, double training_seconds);

}  // namespace fashion_mnist

// A data-parallel run in which one rank fails mid-training, for the fault tests (tests/distributed/CMakeLists.txt):
//   fault kill   rank 1 is killed (SIGKILL) at step 3: mpirun must end the job and name rank 1;
//   fault stall  rank 1 stops answering at step 3: the others must abort after the 5 s timeout, naming what they
//                waited for.
// Without a failure the run ends normally after 6 steps.

#include <autograd/autograd.hpp>
#include <distributed/data_parallel.hpp>
#include <distributed/distributed.hpp>
#include <nn/nn.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <csignal>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  namespace dist = ag::distributed;
  dist::Environment environment(argc, argv, dist::InitOptions().timeout_seconds(5));
  const std::string mode = argc > 1 ? argv[1] : "";
  const auto mlp =
      std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(8, 32), std::make_shared<ag::nn::ReLU>(),
                                           std::make_shared<ag::nn::Linear>(32, 2));
  ag::nn::DistributedDataParallel model(mlp);
  ag::optim::SGD sgd(mlp->parameters(), ag::optim::SGDOptions(0.1));
  for (int step = 0; step < 6; ++step) {
    if (step == 3 && dist::rank() == 1) {
      if (mode == "kill") std::raise(SIGKILL);
      if (mode == "stall")
        for (;;) pause();
    }
    sgd.zero_grad();
    ag::sum(model(ag::randn({4, 8}))).backward();
    sgd.step();
    if (dist::rank() == 0) fmt::print("step {} done\n", step);
  }
  return 0;
}

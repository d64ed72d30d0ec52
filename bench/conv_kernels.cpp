// The convolutions of the Fashion-MNIST CNN (conv 1->32 3x3 padding 1 on 28x28, conv 32->64 3x3 padding 1 on 14x14,
// batch --batch, default 64), float32, on --threads threads (default 1), run both ways ag has
// (autograd/src/ops/convolution_kernels.hpp), side by side:
//   im2col   im2col per sample, then one matrix product on ag::kernels::gemm (oneDNN's sgemm at these sizes), col2im
//            for the input's gradient: what float64 runs on;
//   onednn   oneDNN's convolution primitives (forward, backward data, backward weights) in the layouts they pick, with
//            the reorders from and to ag's NCHW: what float32 runs on.
// Each figure is the best of --repetitions runs of the process's CPU time per call, in microseconds: on a shared
// machine, CPU time is what the kernels cost whatever else runs (with --threads above 1 it adds up the threads). The
// bias's gradient is left out (the same loop on both sides). The first layer's input needs no gradient, so it has no
// backward-data call. Then the layers as ag runs them in a training step (conv2d, max_pool2d 2x2, conv2d, max_pool2d
// 2x2 through the public ops, forward and backward, ReLU left out), per batch.

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <autograd/autograd.hpp>
#include <autograd/ops/convolution.hpp>
#include <autograd/ops/pooling.hpp>

#include "kernels.hpp"
#include "ops/convolution_kernels.hpp"

#include <ctime>
#include <fstream>
#include <string>
#include <vector>

namespace {

double cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// The best of `repetitions` runs of `run`, in CPU microseconds.
template <class F>
double best_cpu_us(std::int64_t repetitions, F&& run) {
  for (int i = 0; i < 3; ++i) run();  // warm up: oneDNN's plans, the allocator's thresholds, first-touch pages
  double best = 1e300;
  for (std::int64_t r = 0; r < repetitions; ++r) {
    const double start = cpu_seconds();
    run();
    best = std::min(best, cpu_seconds() - start);
  }
  return best * 1e6;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("model name", 0) == 0) {
      std::string name = line.substr(line.find(':') + 2);
      for (char& c : name)
        if (c == ' ') c = '_';
      return name;
    }
  return "unknown";
}

struct Layer {
  const char* name;
  ag::kernels::conv::Geometry geometry;
  bool input_grad;  // whether training needs the input's gradient
};

Layer layer(const char* name, std::int64_t batch, std::int64_t in, std::int64_t out, std::int64_t size,
            bool input_grad) {
  const ag::kernels::conv::ConvParams params{{1, 1}, {1, 1}, {1, 1}, 1, 2};
  return {name, ag::kernels::conv::geometry_of({batch, in, size, size}, {out, in, 3, 3}, params), input_grad};
}

// Buffers of one layer: input, weight, bias, output, and their gradients.
struct Buffers {
  explicit Buffers(const ag::kernels::conv::Geometry& g)
      : x(g.batch * g.channels * g.in_plane(), 0.5f),
        w(g.out_channels * g.col_rows(), 0.25f),
        b(g.out_channels, 0.1f),
        y(g.batch * g.out_channels * g.out_plane()),
        dy(y.size(), 0.125f),
        dx(x.size()),
        dw(w.size()) {}
  std::vector<float> x, w, b, y, dy, dx, dw;
};

// The layers as a training step runs them through ag's public ops, forward and backward, in microseconds per batch.
double layers_us(std::int64_t batch, std::int64_t repetitions) {
  ag::manual_seed(0);
  const ag::Tensor images = ag::rand({batch, 1, 28, 28});
  const ag::Tensor w1 = ag::randn({32, 1, 3, 3}, ag::requires_grad());
  const ag::Tensor b1 = ag::randn({32}, ag::requires_grad());
  const ag::Tensor w2 = ag::randn({64, 32, 3, 3}, ag::requires_grad());
  const ag::Tensor b2 = ag::randn({64}, ag::requires_grad());
  const ag::Tensor gradient = ag::ones({batch, 64, 7, 7});
  return best_cpu_us(repetitions, [&] {
    const ag::Tensor h = ag::max_pool2d(ag::conv2d(images, w1, b1, 1, 1), 2);
    const ag::Tensor out = ag::max_pool2d(ag::conv2d(h, w2, b2, 1, 1), 2);
    ag::grad({out}, {w1, b1, w2, b2}, {.grad_outputs = {gradient}});
  });
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--batch", "--threads", "--repetitions"});
  const std::int64_t batch = args.count("--batch", 64, 8);
  const int threads = static_cast<int>(args.count("--threads", 1, 1));
  const std::int64_t repetitions = args.count("--repetitions", 20, 2);
  ag::set_num_threads(threads);

  const std::vector<Layer> layers = {layer("conv1", batch, 1, 32, 28, false), layer("conv2", batch, 32, 64, 14, true)};
  const bench::Details common = {{"threads", std::to_string(threads)},
                                 {"cpu", cpu_model()},
                                 {"blas", bench::openblas_kernel()},
                                 {"onednn", bench::onednn_kernel()}};
  for (const Layer& l : layers) {
    Buffers buf(l.geometry);
    const ag::kernels::conv::Geometry& g = l.geometry;
    using namespace ag::kernels::conv;
    const auto time = [&](auto&& run) { return best_cpu_us(repetitions, run); };
    const double im2col[3] = {
        time([&] { im2col_forward(g, buf.x.data(), buf.w.data(), buf.b.data(), buf.y.data()); }),
        l.input_grad ? time([&] { im2col_input_grad(g, buf.dy.data(), buf.w.data(), buf.dx.data()); }) : 0.0,
        time([&] { im2col_weight_grad(g, buf.x.data(), buf.dy.data(), buf.dw.data()); })};
    const double onednn[3] = {
        time([&] { onednn_forward(g, buf.x.data(), buf.w.data(), buf.b.data(), buf.y.data()); }),
        l.input_grad ? time([&] { onednn_input_grad(g, buf.dy.data(), buf.w.data(), buf.dx.data()); }) : 0.0,
        time([&] { onednn_weight_grad(g, buf.x.data(), buf.dy.data(), buf.dw.data()); })};
    for (const auto& [kernel, figures] : {std::pair{"im2col", im2col}, std::pair{"onednn", onednn}}) {
      bench::Details details = common;
      details.insert(details.end(), {{"forward_us", bench::number(figures[0])},
                                     {"backward_data_us", bench::number(figures[1])},
                                     {"backward_weights_us", bench::number(figures[2])}});
      bench::print_result(std::string("conv-kernels-") + l.name + "-b" + std::to_string(batch), kernel,
                          figures[0] + figures[1] + figures[2], "us", details);
    }
  }
  bench::print_result("conv-layers-b" + std::to_string(batch), "ours", layers_us(batch, repetitions), "us",
                      {{"threads", std::to_string(threads)}, {"what", "conv1+pool+conv2+pool_forward+backward"}});
}

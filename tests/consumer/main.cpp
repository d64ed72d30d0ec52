// A user's program: a module of its own, trained a few steps with an optimiser to fit y = 3x - 1. It prints the loss
// at each step and exits 1 unless the loss fell to a tenth of its first value.
#include <nn/nn.hpp>

#include <cstdio>
#include <memory>
#include <string>

class TwoLayerNet : public ag::nn::UnaryModule {
 public:
  TwoLayerNet() {
    hidden_ = register_module("hidden", std::make_shared<ag::nn::Linear>(1, 8));
    output_ = register_module("output", std::make_shared<ag::nn::Linear>(8, 1));
  }

  std::string name() const override { return "TwoLayerNet"; }

  ag::Tensor forward(const ag::Tensor& x) override { return output_->forward(ag::tanh(hidden_->forward(x))); }

 private:
  std::shared_ptr<ag::nn::Linear> hidden_;
  std::shared_ptr<ag::nn::Linear> output_;
};

int main() {
  ag::manual_seed(7);
  const ag::Tensor x = ag::rand({32, 1});
  const ag::Tensor y = 3.0 * x - 1.0;

  TwoLayerNet model;
  ag::optim::SGD optimizer(model.parameters(), ag::optim::SGDOptions(0.1).momentum(0.5));
  double first_loss = 0.0;
  double loss_value = 0.0;
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    ag::Tensor loss = ag::nn::functional::mse_loss(model(x), y);
    loss.backward();
    optimizer.step();
    loss_value = loss.item();
    if (step == 0) first_loss = loss_value;
    std::printf("step %2d  loss %.6f\n", step, loss_value);
  }
  if (!(loss_value < first_loss / 10)) {
    std::fprintf(stderr, "the loss did not fall to a tenth: %f at the first step, %f at the last\n", first_loss,
                 loss_value);
    return 1;
  }
  return 0;
}

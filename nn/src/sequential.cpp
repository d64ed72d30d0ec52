#include <nn/sequential.hpp>

namespace ag::nn {

void Sequential::push_back(std::shared_ptr<UnaryModule> module) {
  modules_.push_back(register_module(std::to_string(modules_.size()), std::move(module)));
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor output = input;
  for (const auto& module : modules_) output = module->forward(output);
  return output;
}

const std::shared_ptr<UnaryModule>& Sequential::operator[](std::size_t index) const {
  if (index >= modules_.size()) fail("Sequential: index {} is out of range for {} modules", index, modules_.size());
  return modules_[index];
}

}  // namespace ag::nn

#include <autograd/engine.hpp>
#include <autograd/format.hpp>
#include <autograd/function.hpp>
#include <autograd/inspect.hpp>
#include <autograd/ops/elementwise.hpp>

#include <algorithm>

namespace ag {

namespace {

constexpr std::size_t kMaxPaths = 64;  // path counts grow exponentially with shared subgraphs

std::string name_of(const Tensor& t) {
  if (!t.label().empty()) return t.label();
  return *t.op_name() ? std::string("(") + t.op_name() + ")" : std::string("(leaf)");
}

// Each path, as the tensors from output down to input.
void collect_paths(const Tensor& at, const Tensor& input, std::vector<Tensor>& stack,
                   std::vector<std::vector<Tensor>>& paths) {
  stack.push_back(at);
  if (at.is_same(input)) {
    if (paths.size() == kMaxPaths) fail("explain: more than {} paths lead from the output to the input", kMaxPaths);
    paths.push_back(stack);
  } else if (const Node* node = at.grad_fn()) {
    std::vector<detail::TensorImpl*> seen;  // an input used twice by one op is one edge
    for (const Tensor& next : node->inputs()) {
      if (!next.requires_grad() || std::find(seen.begin(), seen.end(), next.impl()) != seen.end()) continue;
      seen.push_back(next.impl());
      collect_paths(next, input, stack, paths);
    }
  }
  stack.pop_back();
}

// d(upper)/d(lower) for one edge of the graph.
Tensor local_derivative(const Tensor& upper, const Tensor& lower) {
  if (upper.numel() != 1)
    fail("explain: '{}' has shape {}; explain follows chains of one-element tensors", name_of(upper), upper.shape());
  const std::vector<Tensor> grads = local_gradients(upper, Tensor());
  const auto inputs = upper.grad_fn()->inputs();
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].is_same(lower)) return grads[i];
  fail("explain: '{}' is not an input of '{}'", name_of(lower), name_of(upper));
}

ChainPath explain_path(const std::vector<Tensor>& tensors) {
  ChainPath path;
  ChainFactor factor;
  std::string upper_name = name_of(tensors.front());
  for (std::size_t k = 0; k + 1 < tensors.size(); ++k) {
    const Tensor& upper = tensors[k];
    const Tensor& lower = tensors[k + 1];
    const Tensor local = local_derivative(upper, lower);
    factor.ops.emplace_back(upper.op_name());
    factor.value = factor.value.defined() ? factor.value * local : local;
    const bool last = k + 2 == tensors.size();
    if (!lower.label().empty() || last) {
      factor.name = "d" + upper_name + "_d" + name_of(lower);
      upper_name = name_of(lower);
      path.factors.push_back(std::move(factor));
      factor = ChainFactor();
    }
  }
  for (const ChainFactor& f : path.factors) path.product = path.product.defined() ? path.product * f.value : f.value;
  return path;
}

std::string values(const Tensor& t) {
  if (t.numel() == 1) return fmt::format("{:.8g}", t.item());
  std::string text = "[";
  const auto v = t.to_vector();
  for (std::size_t i = 0; i < v.size(); ++i) text += fmt::format("{}{:.8g}", i ? ", " : "", v[i]);
  return text + "]";
}

}  // namespace

ChainRuleExplanation explain(const Tensor& output, const Tensor& input) {
  if (!input.requires_grad()) fail("explain: the input '{}' does not require grad", name_of(input));
  if (output.numel() != 1) fail("explain: the output has shape {}; it must have one element", output.shape());
  NoGradGuard no_grad;
  ChainRuleExplanation explanation;
  explanation.output_name = name_of(output);
  explanation.input_name = name_of(input);
  std::vector<std::vector<Tensor>> paths;
  std::vector<Tensor> stack;
  collect_paths(output, input, stack, paths);
  if (paths.empty())
    fail("explain: '{}' does not depend on '{}' (or its graph was freed by backward())", explanation.output_name,
         explanation.input_name);
  for (const auto& tensors : paths) {
    explanation.paths.push_back(explain_path(tensors));
    const Tensor& product = explanation.paths.back().product;
    explanation.total = explanation.total.defined() ? explanation.total + product : product;
  }
  return explanation;
}

std::string ChainRuleExplanation::to_string() const {
  std::string text =
      fmt::format("d{}_d{}: {} path{}\n", output_name, input_name, paths.size(), paths.size() == 1 ? "" : "s");
  for (std::size_t p = 0; p < paths.size(); ++p) {
    const ChainPath& path = paths[p];
    std::string names;
    for (const ChainFactor& f : path.factors) names += (names.empty() ? "" : " * ") + f.name;
    text += fmt::format("  path {}: d{}_d{} = {}\n", p + 1, output_name, input_name, names);
    for (const ChainFactor& f : path.factors)
      text += fmt::format("    {:<28} = {:<32} ({})\n", f.name, values(f.value), fmt::join(f.ops, " -> "));
    text += fmt::format("    {:<28} = {}\n", "product", values(path.product));
  }
  text += fmt::format("  d{}_d{} = {}\n", output_name, input_name, values(total));
  return text;
}

}  // namespace ag

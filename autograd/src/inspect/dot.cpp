#include <autograd/function.hpp>
#include <autograd/inspect.hpp>

#include <unordered_map>

namespace ag {

namespace {

constexpr std::int64_t kShowValuesUpTo = 8;

std::string short_values(const Tensor& t) {
  if (!t.impl()->storage) return "(freed)";  // the graph kept only its shape
  if (t.numel() > kShowValuesUpTo) return "";
  const auto v = t.to_vector();
  std::string text;
  for (std::size_t i = 0; i < v.size(); ++i) text += fmt::format("{}{:.4g}", i ? ", " : "", v[i]);
  return t.dim() == 0 ? text : "[" + text + "]";
}

std::string escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '{' || c == '}' || c == '<' || c == '>' || c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string to_dot(const Tensor& output) {
  std::string dot = "digraph autograd {\n  rankdir=LR;\n  node [shape=record, fontname=\"Helvetica\"];\n";
  std::unordered_map<const detail::TensorImpl*, int> ids;
  std::vector<std::pair<const detail::TensorImpl*, const detail::TensorImpl*>> edges;  // input -> result
  std::vector<Tensor> pending{output};
  while (!pending.empty()) {  // iterative, so deep graphs are fine
    Tensor t = pending.back();
    pending.pop_back();
    if (ids.count(t.impl())) continue;
    const int id = static_cast<int>(ids.size());
    ids[t.impl()] = id;
    const char* unnamed = *t.op_name() ? t.op_name() : (t.requires_grad() ? "leaf" : "constant");
    std::string title = t.label().empty() ? unnamed : t.label();
    if (!t.label().empty() && *t.op_name()) title += std::string(" = ") + t.op_name();
    std::string fields = fmt::format("{}|shape {}", escaped(title), t.shape());
    if (const std::string v = short_values(t); !v.empty()) fields += "|value " + escaped(v);
    if (t.grad().defined()) {
      const std::string g = short_values(t.grad());
      fields += "|grad " + escaped(g.empty() ? fmt::format("shape {}", t.grad().shape()) : g);
    }
    const char* fill = t.grad_fn() ? "white" : (t.requires_grad() ? "lightblue" : "lightgrey");
    dot += fmt::format("  t{} [label=\"{{{}}}\", style=filled, fillcolor={}];\n", id, fields, fill);
    if (const Node* node = t.grad_fn()) {
      for (const Tensor& input : node->inputs()) {
        edges.emplace_back(input.impl(), t.impl());
        pending.push_back(input);
      }
    }
  }
  for (const auto& [input, result] : edges) dot += fmt::format("  t{} -> t{};\n", ids.at(input), ids.at(result));
  return dot + "}\n";
}

}  // namespace ag

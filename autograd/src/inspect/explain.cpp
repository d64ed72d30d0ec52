#include <autograd/engine.hpp>
#include <autograd/format.hpp>
#include <autograd/function.hpp>
#include <autograd/inspect.hpp>
#include <autograd/ops/elementwise.hpp>

#include <cstdint>
#include <limits>
#include <unordered_map>

namespace ag {

namespace {

std::string name_of(const Tensor& t) {
  if (!t.label().empty()) return t.label();
  return *t.op_name() ? std::string("(") + t.op_name() + ")" : std::string("(leaf)");
}

// The graph between the output and the input, as explain walks it: every tensor found from the output, and an edge
// from each to every distinct input of its op (an input used twice by one op is one edge) that leads on to the
// input.
struct Edge {
  std::size_t lower;  // the input's vertex
  std::size_t slot;   // its first position among the op's inputs
};

struct Vertex {
  explicit Vertex(Tensor t) : tensor(std::move(t)) {}

  Tensor tensor;
  std::uint64_t paths = 0;  // paths from here down to the input, saturating at the largest uint64
  std::size_t first_edge = 0;
  std::size_t edge_count = 0;
  std::size_t last_user = std::numeric_limits<std::size_t>::max();  // the vertex that last took an edge here
};

struct Graph {
  std::vector<Vertex> vertices;     // in the order found; the output is vertex 0
  std::vector<Edge> edges;          // each vertex's edges side by side
  std::vector<std::size_t> finish;  // vertex indices, each after every vertex its tensor was computed from
  std::size_t input = 0;            // the input's vertex

  const Edge& edge(const Vertex& upper, std::size_t k) const { return edges[upper.first_edge + k]; }
};

// A depth-first search without recursion (a chain of a million ops is fine), stopping at the input and at
// tensors that do not require grad. Each vertex's paths are counted once its inputs are done, so counting costs
// one visit per edge however many paths there are.
Graph find_paths(const Tensor& output, const Tensor& input) {
  Graph graph;
  std::unordered_map<const detail::TensorImpl*, std::size_t> index{{output.impl(), 0}};
  graph.vertices.emplace_back(output);
  std::vector<std::pair<std::size_t, std::size_t>> stack{{0, 0}};  // a vertex and its op's next input to visit
  while (!stack.empty()) {
    auto& [at, next] = stack.back();
    const Tensor& tensor = graph.vertices[at].tensor;
    const Node* node = tensor.is_same(input) ? nullptr : tensor.grad_fn();
    if (node && next < node->inputs().size()) {
      const Tensor& lower = node->inputs()[next++];
      if (lower.requires_grad() && index.try_emplace(lower.impl(), graph.vertices.size()).second) {
        stack.emplace_back(graph.vertices.size(), 0);
        graph.vertices.emplace_back(lower);
      }
      continue;
    }
    Vertex& vertex = graph.vertices[at];
    if (tensor.is_same(input)) {
      vertex.paths = 1;
      graph.input = at;
    }
    vertex.first_edge = graph.edges.size();
    for (std::size_t slot = 0; node && slot < node->inputs().size(); ++slot) {
      const Tensor& lower = node->inputs()[slot];
      if (!lower.requires_grad()) continue;
      const std::size_t j = index.at(lower.impl());
      Vertex& next_down = graph.vertices[j];
      if (next_down.paths == 0 || next_down.last_user == at) continue;  // no path, or an input the op repeats
      next_down.last_user = at;
      graph.edges.push_back({j, slot});
      if (__builtin_add_overflow(vertex.paths, next_down.paths, &vertex.paths))
        vertex.paths = std::numeric_limits<std::uint64_t>::max();
    }
    vertex.edge_count = graph.edges.size() - vertex.first_edge;
    graph.finish.push_back(at);
    stack.pop_back();
  }
  return graph;
}

// d(upper)/d(input slot) for every input of upper's op.
std::vector<Tensor> local_derivatives(const Tensor& upper) {
  if (upper.numel() != 1)
    fail("explain: '{}' has shape {}; explain follows chains of one-element tensors", name_of(upper), upper.shape());
  return local_gradients(upper, Tensor());
}

// The gradient of the output with respect to the input: the sum over all paths, accumulated edge by edge from the
// output down, as backward() does, rather than path by path.
Tensor differentiate(const Graph& graph) {
  std::vector<Tensor> upstream(graph.vertices.size());  // d output / d vertex; undefined for the output itself (1)
  for (auto it = graph.finish.rbegin(); it != graph.finish.rend(); ++it) {
    const Vertex& upper = graph.vertices[*it];
    if (upper.edge_count == 0) continue;
    const std::vector<Tensor> locals = local_derivatives(upper.tensor);
    const Tensor above = std::move(upstream[*it]);
    for (std::size_t k = 0; k < upper.edge_count; ++k) {
      const Edge& edge = graph.edge(upper, k);
      const Tensor through = above.defined() ? above * locals[edge.slot] : locals[edge.slot];
      Tensor& sum = upstream[edge.lower];
      sum = sum.defined() ? sum + through : through;
    }
  }
  return upstream[graph.input];
}

// One step of a path: the vertex and which of its edges the path takes.
struct Step {
  std::size_t vertex;
  std::size_t edge;
};

// The first `limit` paths from the output to the input, in depth-first order of the ops' inputs. Every edge leads
// to the input, so this takes one step per edge of the paths it returns.
std::vector<std::vector<Step>> first_paths(const Graph& graph, std::size_t limit) {
  std::vector<std::vector<Step>> paths;
  std::vector<Step> stack{{0, 0}};  // the path so far; each step's edge is the one it takes (or tries next)
  while (!stack.empty() && paths.size() < limit) {
    const Step top = stack.back();
    const Vertex& vertex = graph.vertices[top.vertex];
    if (top.vertex == graph.input) {
      paths.emplace_back(stack.begin(), stack.end() - 1);
    } else if (top.edge < vertex.edge_count) {
      stack.push_back({graph.edge(vertex, top.edge).lower, 0});
      continue;
    }
    stack.pop_back();
    if (!stack.empty()) ++stack.back().edge;
  }
  return paths;
}

// The local derivatives are computed again here rather than kept from differentiate: a long chain would otherwise
// hold one tensor per op at once.
ChainPath explain_path(const Graph& graph, const std::vector<Step>& steps) {
  ChainPath path;
  ChainFactor factor;
  std::string upper_name = name_of(graph.vertices[steps.front().vertex].tensor);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Vertex& upper = graph.vertices[steps[k].vertex];
    const Edge& edge = graph.edge(upper, steps[k].edge);
    const Tensor& lower = graph.vertices[edge.lower].tensor;
    const Tensor local = local_derivatives(upper.tensor)[edge.slot];
    factor.ops.emplace_back(upper.tensor.op_name());
    factor.value = factor.value.defined() ? factor.value * local : local;
    if (!lower.label().empty() || k + 1 == steps.size()) {
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
  if (output.is_same(input)) fail("explain: the output and the input are the same tensor '{}'", name_of(input));
  NoGradGuard no_grad;
  ChainRuleExplanation explanation;
  explanation.output_name = name_of(output);
  explanation.input_name = name_of(input);
  Graph graph = find_paths(output, input);
  explanation.path_count = graph.vertices.front().paths;
  if (explanation.path_count == 0)
    fail("explain: '{}' does not depend on '{}' (or its graph was freed by backward())", explanation.output_name,
         explanation.input_name);
  explanation.total = differentiate(graph);
  for (const std::vector<Step>& steps : first_paths(graph, kExplainedPathsLimit))
    explanation.paths.push_back(explain_path(graph, steps));
  return explanation;
}

std::string ChainRuleExplanation::to_string() const {
  const bool saturated = path_count == std::numeric_limits<std::uint64_t>::max();
  std::string text = fmt::format("d{}_d{}: {}{} path{}", output_name, input_name, saturated ? "at least " : "",
                                 path_count, path_count == 1 ? "" : "s");
  text += paths.size() < path_count ? fmt::format(", the first {} shown\n", paths.size()) : "\n";
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

#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Looking inside a graph: the chain rule spelled out path by path, a Graphviz drawing, and the memory it holds.

#include <autograd/tensor.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ag {

/// One factor of a chain-rule product: d(upper)/d(lower) between two named tensors of a path, folding any
/// unnamed tensors in between (their ops are listed).
struct ChainFactor {
  std::string name;              ///< "derror_dprediction", from the tensors' labels (or op names where unlabelled).
  std::vector<std::string> ops;  ///< The ops along this factor, from upper to lower.
  Tensor value;                  ///< A one-element tensor, or the input's shape for the last factor.
};

/// One path from the output back to the input, as a product of factors.
struct ChainPath {
  std::vector<ChainFactor> factors;  ///< From the output down to the input.
  Tensor product;                    ///< The product of the factors: this path's share of the gradient.
};

/// explain keeps at most this many paths: their number grows exponentially with shared subgraphs.
inline constexpr std::size_t kExplainedPathsLimit = 64;

/// What explain returns: every path's factors, and their sum, the gradient.
struct ChainRuleExplanation {
  std::string output_name;       ///< The output's label, or its op's name in parentheses: "(mul)".
  std::string input_name;        ///< The input's label, or "(leaf)" where unlabelled.
  std::uint64_t path_count = 0;  ///< Every path from output to input, counted (saturating at the largest uint64).
  std::vector<ChainPath> paths;  ///< The first kExplainedPathsLimit of them, depth first in the order of ops' inputs.
  Tensor total;                  ///< The sum over all paths: the gradient of output with respect to input.

  /// The explanation as text: the path count, then for each path kept its factors with their values and ops, and
  /// its product; last the total.
  std::string to_string() const;
};

/// Walks the paths from `output` back to `input` and returns the local partial derivative along each
/// edge, grouped between labelled tensors (see Tensor::set_label). Intermediate tensors on the paths must
/// have one element; the graph must not have been freed by backward() yet. Without recursion, and in time linear
/// in the graph's size plus the paths kept, however many paths there are. Throws ag::Error if `output` does not have
/// one element, `input` does not require grad or is `output` itself, an intermediate tensor has more than one
/// element, or `output` does not depend on `input` (or its graph was freed).
ChainRuleExplanation explain(const Tensor& output, const Tensor& input);

/// The graph behind `output` in Graphviz DOT: one box per tensor with its op or label, shape, values
/// (when small) and gradient (once computed), and an edge from each input to its op's result.
std::string to_dot(const Tensor& output);

/// The bytes of values that the graph behind `output` keeps alive for its backward: those of every tensor in it that
/// an op produced (output included), each storage counted once; leaves, such as parameters, are not counted. Ops that
/// read only shapes let their inputs' values go (see SavedValues), so this is what a training step's activations cost.
std::int64_t graph_bytes(const Tensor& output);

}  // namespace ag

#pragma GCC visibility pop

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

using Catch::Contains;

// The graph keeps only the values that backward formulas read (SavedValues): what a training step's activations
// cost in memory.

TEST_CASE("ops that read only shapes let their inputs' values go", "[engine][memory]") {
  const auto leaf = [] { return ag::ones({1000}, ag::kFloat64).requires_grad_(); };
  ag::Tensor a = leaf(), b = leaf(), c = leaf(), d = leaf();
  // a*b and c*d are read by nobody once add has their shapes; nor is their sum, which sum needs only the shape of.
  const ag::Tensor y = ag::sum(a * b + c * d);
  CHECK(ag::graph_bytes(y) == 8);
  const ag::Tensor kept_product = a * b;
  const ag::Tensor z = ag::sum(kept_product + c * d);
  CHECK(ag::graph_bytes(z) == 8 + 8000);  // the user still holds a*b
  y.backward();
  CHECK_THAT(a.grad().narrow(0, 0, 2), HasValues({1.0, 1.0}));
  CHECK_THAT(d.grad().narrow(0, 0, 2), HasValues({1.0, 1.0}));
}

TEST_CASE("activations that read their output do not keep their input", "[engine][memory]") {
  const ag::Tensor x = ag::randn({64, 8}, ag::kFloat64);
  const ag::Tensor w = ag::randn({8, 8}, ag::kFloat64).requires_grad_();
  // The product is read by nobody: relu's backward reads relu's output, matmul's reads x and w (leaves).
  const ag::Tensor loss = ag::sum(ag::relu(ag::matmul(x, w)));
  CHECK(ag::graph_bytes(loss) == 8 + 64 * 8 * 8);
  // exp's backward reads its output, so it stays although only add, which reads shapes, holds it.
  const ag::Tensor e = ag::sum(ag::exp(ag::matmul(x, w)) + 1.0);
  CHECK(ag::graph_bytes(e) == 8 + 64 * 8 * 8);
  const ag::Tensor expected = ag::grad({loss}, {w})[0];
  CHECK(expected.shape() == ag::Shape{8, 8});
}

TEST_CASE("a retained graph with freed values backpropagates again", "[engine][memory]") {
  ag::Tensor x = ag::tensor({1.0, -2.0, 3.0}, ag::kFloat64).requires_grad_();
  const ag::Tensor y = ag::sum(ag::relu(x * x) + x);
  y.backward(ag::Tensor(), /*retain_graph=*/true);
  CHECK_THAT(x.grad(), HasValues({3.0, -3.0, 7.0}));
  x.zero_grad();
  y.backward();
  CHECK_THAT(x.grad(), HasValues({3.0, -3.0, 7.0}));
}

TEST_CASE("reading freed values throws instead of reading freed memory", "[engine][memory][errors]") {
  const ag::Tensor x = ag::ones({512}, ag::kFloat64).requires_grad_();
  const ag::Tensor y = ag::sum(x * 2.0 + 1.0);
  const ag::Tensor& freed = y.grad_fn()->inputs()[0];  // the add's result, which sum holds for its shape
  CHECK(freed.shape() == ag::Shape{512});
  CHECK_THROWS_WITH(freed.to_vector(), Contains("the values of this tensor (shape [512]) were freed"));
  CHECK_THROWS_WITH(freed.reshape({512, 1}), Contains("were freed"));
  CHECK_THAT(ag::to_dot(y), Contains("(freed)"));
}

TEST_CASE("a value the user still holds stays readable through the graph", "[engine][memory]") {
  const ag::Tensor x = ag::ones({3}, ag::kFloat64).requires_grad_();
  const ag::Tensor sum_input = x * 2.0 + 1.0;
  const ag::Tensor y = ag::sum(sum_input);
  CHECK(ag::graph_bytes(y) == 8 + 24);
  CHECK_THAT(y.grad_fn()->inputs()[0], HasValues({3.0, 3.0, 3.0}));
}

TEST_CASE("a custom op whose backward reads a value it did not ask for is refused", "[engine][memory][errors]") {
  const ag::Tensor x = ag::ones({2}, ag::kFloat64).requires_grad_();
  const auto careless = [](const ag::Tensor& input, ag::SavedValues saved) {
    ag::Tensor y;
    {
      ag::NoGradGuard no_grad;
      y = input * input;
    }
    return ag::make_op(
        "careless", y, {input},
        [](ag::BackwardContext& ctx, const ag::Tensor& grad) { ctx.add_grad(0, grad * 2.0 * ctx.input(0)); }, saved);
  };
  CHECK_THROWS_WITH(ag::sum(careless(x, ag::kSavesShapesOnly)).backward(),
                    Contains("careless backward: reads the values of input 0, which the op's SavedValues said it "
                             "would not"));
  ag::sum(careless(x, ag::kSavesInputsOnly)).backward();
  CHECK_THAT(x.grad(), HasValues({2.0, 2.0}));
}

TEST_CASE("index ops keep their index tensor, not the values they select from", "[engine][memory]") {
  const ag::Tensor weight = ag::randn({100, 10}, ag::kFloat64).requires_grad_();
  const ag::Tensor ids = ag::tensor({3, 7, 3}, ag::kInt64);
  // weight * 2 (8000 bytes) is read by nobody: the backwards read only the index tensors, leaves that graph_bytes
  // does not count, and shapes. What is left is each sum's own result.
  const ag::Tensor looked_up = ag::sum(ag::embedding(ids, weight * 2.0));
  CHECK(ag::graph_bytes(looked_up) == 8);
  const ag::Tensor selected = ag::sum(ag::index_select(weight * 2.0, 0, ids));
  CHECK(ag::graph_bytes(selected) == 8);
  const ag::Tensor gathered = ag::sum(ag::gather(weight * 2.0, 1, ag::zeros({100, 1}, ag::kInt64)));
  CHECK(ag::graph_bytes(gathered) == 8);
  const ag::Tensor sliced = ag::sum((weight * 2.0).slice(0, 10, 20)) + ag::sum((weight * 3.0)[5]);
  CHECK(ag::graph_bytes(sliced) == 8);  // the two sums are read by nobody either: add reads shapes
  looked_up.backward();
  CHECK_THAT(weight.grad()[3].narrow(0, 0, 2), HasValues({4.0, 4.0}));
  CHECK_THAT(weight.grad()[7].narrow(0, 0, 2), HasValues({2.0, 2.0}));
  CHECK_THAT(weight.grad()[0].narrow(0, 0, 2), HasValues({0.0, 0.0}));
}

#include <nn/pooling.hpp>

#include <autograd/autograd.hpp>
#include <autograd/ops/pooling.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

using Catch::Contains;

TEST_CASE("MaxPool2d takes the stride from the kernel size unless set, as PyTorch", "[nn][pooling]") {
  const ag::Tensor x = ag::arange(16.0).reshape({1, 1, 4, 4});
  ag::nn::MaxPool2d pool(2);
  CHECK(pool.options().stride() == ag::ExpandingArray<2>(2));
  CHECK_THAT(pool(x), HasValues({5, 7, 13, 15}));
  ag::nn::MaxPool2d overlapping(ag::nn::MaxPool2dOptions(3).stride(1).padding(1));
  CHECK(overlapping(x).shape() == ag::Shape{1, 1, 4, 4});
  CHECK_THAT(overlapping(x), HasValues(ag::max_pool2d(x, 3, 1, 1).to_vector()));
  CHECK(pool.parameters().empty());
}

TEST_CASE("AvgPool2d and AdaptiveAvgPool2d compute ag::avg_pool2d and ag::adaptive_avg_pool2d", "[nn][pooling]") {
  const ag::Tensor x = ag::randn({2, 3, 7, 6});
  ag::nn::AvgPool2d avg(ag::nn::AvgPool2dOptions({3, 2}).stride(2).padding(1).count_include_pad(false));
  CHECK_THAT(avg(x), HasValues(ag::avg_pool2d(x, {3, 2}, 2, 1, false, false).to_vector()));
  ag::nn::AvgPool2d ceil(ag::nn::AvgPool2dOptions(2).ceil_mode(true));
  CHECK(ceil(x).shape() == ag::Shape{2, 3, 4, 3});
  ag::nn::AdaptiveAvgPool2d global(1);
  CHECK(global(x).shape() == ag::Shape{2, 3, 1, 1});
  CHECK_THAT(global(x), HasValues(ag::mean(x, {2, 3}).to_vector(), 1e-6));
  ag::nn::AdaptiveAvgPool2d cells(ag::nn::AdaptiveAvgPool2dOptions({2, 3}));
  CHECK(cells(x).shape() == ag::Shape{2, 3, 2, 3});
}

TEST_CASE("the pooling layers describe themselves and refuse impossible settings", "[nn][pooling][errors]") {
  CHECK(ag::nn::MaxPool2d(2).extra_repr() ==
        "kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), dilation=(1, 1), "
        "ceil_mode=false");
  CHECK(ag::nn::AvgPool2d(3).extra_repr() ==
        "kernel_size=(3, 3), stride=(3, 3), padding=(0, 0), ceil_mode=false, "
        "count_include_pad=true");
  CHECK(ag::nn::AdaptiveAvgPool2d({5, 7}).extra_repr() == "output_size=(5, 7)");
  CHECK_THROWS_WITH(ag::nn::MaxPool2d(ag::nn::MaxPool2dOptions(2).padding(2)),
                    Contains("MaxPool2d: padding must be between 0 and half the kernel size, got padding (2, 2) for "
                             "kernel_size (2, 2)"));
  CHECK_THROWS_WITH(ag::nn::AvgPool2d(ag::nn::AvgPool2dOptions(2).stride(0)),
                    Contains("AvgPool2d: stride must be at least 1, got (0, 0)"));
  CHECK_THROWS_WITH(ag::nn::AdaptiveAvgPool2d(0), Contains("AdaptiveAvgPool2d: output_size must be at least 1"));
  CHECK_THROWS_WITH(ag::nn::MaxPool2d(2)(ag::randn({4, 4})), Contains("max_pool2d: expected a 3-D"));
}

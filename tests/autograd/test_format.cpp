#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

using Catch::Contains;

namespace {

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

}  // namespace

TEST_CASE("int64 tensors print as integers, bool tensors as True and False", "[tensor][format]") {
  CHECK(ag::to_string(ag::tensor({3, -1, 0}, ag::kInt64)) == "tensor([3, -1, 0], shape=[3], dtype=int64)");
  ag::Tensor large = ag::empty({1}, ag::kInt64);
  large.mutable_data<std::int64_t>()[0] = (std::int64_t{1} << 53) + 1;  // a double would print ...992
  CHECK(ag::to_string(large) == "tensor([9007199254740993], shape=[1], dtype=int64)");
  CHECK(ag::to_string(ag::tensor({{1.0, 0.0}, {0.0, 2.0}}) > 0.5) ==
        "tensor([[True, False],\n        [False, True]], shape=[2, 2], dtype=bool)");
  CHECK(ag::to_string(ag::full({}, 7, ag::kInt64)) == "tensor(7, shape=[], dtype=int64)");
}

TEST_CASE("floating-point tensors print whole numbers with a point, others with four decimals", "[tensor][format]") {
  CHECK(ag::to_string(ag::tensor({1.0, -2.0})) == "tensor([1., -2.], shape=[2], dtype=float32)");
  CHECK(ag::to_string(ag::tensor({1.5, -2.0}, ag::kFloat64)) == "tensor([1.5000, -2.0000], shape=[2], dtype=float64)");
}

TEST_CASE("a tensor of over 1000 elements shows the first and last 3 entries of every dim", "[tensor][format]") {
  CHECK(ag::to_string(ag::arange(1000, ag::kFloat32)).find("...") == std::string::npos);

  CHECK(ag::to_string(ag::arange(2000, ag::kFloat32).reshape({40, 50})) ==
        "tensor([[0., 1., 2., ..., 47., 48., 49.],\n"
        "        [50., 51., 52., ..., 97., 98., 99.],\n"
        "        [100., 101., 102., ..., 147., 148., 149.],\n"
        "        ...,\n"
        "        [1850., 1851., 1852., ..., 1897., 1898., 1899.],\n"
        "        [1900., 1901., 1902., ..., 1947., 1948., 1949.],\n"
        "        [1950., 1951., 1952., ..., 1997., 1998., 1999.]], shape=[40, 50], dtype=float32)");

  // 7 x 7 x 21: every dim is cut. Matrices are separated by a blank line, as PyTorch does.
  const std::string cube = ag::to_string(ag::arange(1029, ag::kFloat64).reshape({7, 7, 21}));
  CHECK_THAT(cube, Contains("tensor([[[0., 1., 2., ..., 18., 19., 20.],\n"
                            "         [21., 22., 23., ..., 39., 40., 41.],\n"
                            "         [42., 43., 44., ..., 60., 61., 62.],\n"
                            "         ...,\n"
                            "         [84., 85., 86., ..., 102., 103., 104.],\n"));
  CHECK_THAT(cube, Contains("[126., 127., 128., ..., 144., 145., 146.]],\n"
                            "\n"
                            "        [[147., 148., 149.,"));
  CHECK_THAT(cube, Contains("]],\n\n        ...,\n\n        [[588., 589., 590.,"));
  CHECK_THAT(cube, Contains("[1008., 1009., 1010., ..., 1026., 1027., 1028.]]], shape=[7, 7, 21], dtype=float64)"));
  // 6 matrices shown, each with 6 rows of one "..." and a "..." for its hidden rows, and one for the hidden matrices.
  CHECK(count_of(cube, "...") == 6 * (6 + 1) + 1);
  // 6 line breaks inside each matrix shown, 2 between each of the 7 top-level items.
  CHECK(count_of(cube, "\n") == 6 * 6 + 6 * 2);

  // Only dims longer than 6 are cut.
  const std::string wide = ag::to_string(ag::zeros({2, 600}, ag::kInt64));
  CHECK(count_of(wide, "...") == 2);
  CHECK(wide.starts_with("tensor([[0, 0, 0, ..., 0, 0, 0],\n        [0, 0, 0, ..., 0, 0, 0]]"));
}

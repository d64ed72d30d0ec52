// The table of bad input in docs/troubleshooting.md: every row is run here and must give exactly the error the table
// shows, and every case here must have its row. In the table's messages, <placeholders> stand for the parts that vary
// (file paths, checksums, sizes).

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <sys/stat.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using Trigger = std::function<void(const fs::path& dir)>;

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::shared_ptr<ag::nn::Sequential> mlp(std::int64_t hidden = 8) {
  return std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(4, hidden),
                                              std::make_shared<ag::nn::ReLU>(),
                                              std::make_shared<ag::nn::Linear>(hidden, 3));
}

// A checkpoint of mlp() with SGD state, at dir/model.ckpt.
fs::path saved_checkpoint(const fs::path& dir) {
  auto model = mlp();
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.1).momentum(0.9));
  const fs::path path = dir / "model.ckpt";
  ag::nn::save_checkpoint(path, *model, &sgd);
  return path;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ag::TensorOptions tracked() { return ag::TensorOptions().requires_grad(true); }

// An example program run with `flags`; throws its standard error as the error message, as a user reads it.
Trigger example(const std::string& program, const std::string& flags) {
  return [=](const fs::path& dir) {
    const std::string command =
        fmt::format("'{}/{}' {} --out '{}' 2>&1 >/dev/null", AG_EXAMPLES_DIR, program, flags, (dir / "out").string());
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    const int status = ::pclose(pipe);
    CHECK(status != 0);
    while (!output.empty() && output.back() == '\n') output.pop_back();
    throw ag::Error(output);
  };
}

// Keyed by the table row's first column.
const std::map<std::string, Trigger>& triggers() {
  static const std::map<std::string, Trigger> table = {
      // Files.
      {"An IDX file that is missing", [](const fs::path& dir) { ag::nn::read_idx(dir / "absent.idx"); }},
      {"An IDX file cut short",
       [](const fs::path& dir) {
         write_bytes(dir / "labels.idx", std::string("\0\0\x08\x01\0\0\0\x03\x01\x02", 10));
         ag::nn::read_idx(dir / "labels.idx");
       }},
      {"A file that is not IDX",
       [](const fs::path& dir) {
         write_bytes(dir / "archive.zip", "PK\x03\x04 and more");
         ag::nn::read_idx(dir / "archive.zip");
       }},
      {"A checkpoint that is missing",
       [](const fs::path& dir) {
         auto model = mlp();
         ag::nn::load_checkpoint(dir / "model.ckpt", *model);
       }},
      {"A checkpoint cut short",
       [](const fs::path& dir) {
         const fs::path path = saved_checkpoint(dir);
         fs::resize_file(path, fs::file_size(path) / 2);
         auto model = mlp();
         ag::nn::load_checkpoint(path, *model);
       }},
      {"A checkpoint with a damaged byte",
       [](const fs::path& dir) {
         const fs::path path = saved_checkpoint(dir);
         std::string bytes = file_bytes(path);
         bytes[bytes.size() / 2] ^= 0x10;
         write_bytes(path, bytes);
         auto model = mlp();
         ag::nn::load_checkpoint(path, *model);
       }},
      {"A file that is not a checkpoint",
       [](const fs::path& dir) {
         write_bytes(dir / "notes.txt", "just some text, not tensors");
         auto model = mlp();
         ag::nn::load_checkpoint(dir / "notes.txt", *model);
       }},
      {"A checkpoint of a newer format",
       [](const fs::path& dir) {
         const fs::path path = saved_checkpoint(dir);
         std::string bytes = file_bytes(path);
         bytes[8] = 3;  // the version field follows the 8-byte magic
         write_bytes(path, bytes);
         auto model = mlp();
         ag::nn::load_checkpoint(path, *model);
       }},
      {"A checkpoint missing some of the model's parameters",
       [](const fs::path& dir) {
         auto bigger = mlp();
         bigger->push_back(std::make_shared<ag::nn::Linear>(3, 3));
         ag::nn::load_checkpoint(saved_checkpoint(dir), *bigger);
       }},
      {"A checkpoint with parameters the model does not have",
       [](const fs::path& dir) {
         auto smaller = std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(4, 8));
         ag::nn::load_checkpoint(saved_checkpoint(dir), *smaller);
       }},
      {"A checkpoint of another layer size",
       [](const fs::path& dir) {
         auto wider = mlp(9);
         ag::nn::load_checkpoint(saved_checkpoint(dir), *wider);
       }},
      {"A checkpoint of another dtype",
       [](const fs::path& dir) {
         const fs::path path = saved_checkpoint(dir);
         ag::set_default_dtype(ag::kFloat64);
         auto doubles = mlp();
         ag::set_default_dtype(ag::kFloat32);
         ag::nn::load_checkpoint(path, *doubles);
       }},
      {"A checkpoint of another optimiser",
       [](const fs::path& dir) {
         auto model = mlp();
         ag::optim::Adam adam(model->parameters());
         ag::nn::load_checkpoint(saved_checkpoint(dir), *model, &adam);
       }},
      {"A device given as a checkpoint",
       [](const fs::path&) {
         auto model = mlp();
         ag::nn::load_checkpoint("/dev/zero", *model);
       }},
      {"A 2 GiB file that is not a checkpoint",
       [](const fs::path& dir) {
         write_bytes(dir / "big.bin", "PK\x03\x04");
         fs::resize_file(dir / "big.bin", std::uint64_t{2} << 30);  // sparse: no disk space used
         ag::nn::load(dir / "big.bin");
       }},
      {"A checkpoint saved over a FIFO",
       [](const fs::path& dir) {
         REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
         auto model = mlp();
         ag::nn::save_checkpoint(dir / "pipe", *model);
       }},
      {"A gzip IDX file whose end is cut off",
       [](const fs::path& dir) {
         // gzip's last 8 bytes are the CRC-32 and the length of the data: without them the data is unchecked.
         const fs::path path = dir / "labels.idx.gz";
         gzFile file = gzopen(path.c_str(), "wb");
         gzwrite(file, "\0\0\x08\x01\0\0\0\x03\x01\x02\x03", 11);
         gzclose(file);
         fs::resize_file(path, fs::file_size(path) - 8);
         ag::nn::read_idx(path);
       }},
      {"An IDX file claiming more than it can hold",
       [](const fs::path& dir) {
         const fs::path path = dir / "claims.gz";
         gzFile file = gzopen(path.c_str(), "wb");
         gzwrite(file, "\0\0\x08\x03\0\0\x03\xe8\0\0\x03\xe8\0\0\0\x64\x01", 17);  // [1000, 1000, 100]
         gzclose(file);
         ag::nn::read_idx(path);
       }},
      {"A file that is not safetensors",
       [](const fs::path& dir) {
         write_bytes(dir / "notes.txt", "just some text, not tensors");
         ag::nn::load_safetensors(dir / "notes.txt");
       }},
      {"A safetensors file cut short",
       [](const fs::path& dir) {
         const fs::path path = dir / "model.safetensors";
         ag::nn::save_safetensors(path, {{"steps", ag::zeros({3}, ag::kInt64)}});
         fs::resize_file(path, fs::file_size(path) - 10);
         ag::nn::load_safetensors(path);
       }},
      {"A safetensors file of a dtype not read",
       [](const fs::path& dir) {
         const std::string header = R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
         write_bytes(dir / "half.safetensors",
                     std::string(1, static_cast<char>(header.size())) + std::string(7, '\0') + header + "half");
         ag::nn::load_safetensors(dir / "half.safetensors");
       }},
      // Shapes and dtypes.
      {"A matrix product of mismatched shapes",
       [](const fs::path&) {
         ag::matmul(ag::ones({2, 3}), ag::ones({2, 3}));
       }},
      {"Shapes that do not broadcast",
       [](const fs::path&) {
         ag::ones({2, 3}) + ag::ones({4});
       }},
      {"float32 mixed with float64", [](const fs::path&) { ag::ones({2}) + ag::ones({2}, ag::kFloat64); }},
      {"A reshape to another element count",
       [](const fs::path&) {
         ag::ones({2, 3}).reshape({4});
       }},
      {"An input of the wrong width for nn::Linear",
       [](const fs::path&) {
         ag::nn::Linear(3, 2).forward(ag::ones({4, 5}));
       }},
      {"A class index out of range",
       [](const fs::path&) {
         ag::nn::functional::cross_entropy(ag::ones({4, 3}), ag::tensor({0, 1, 5, 2}, ag::kInt64));
       }},
      {"Class targets given as floats",
       [](const fs::path&) {
         ag::nn::functional::cross_entropy(ag::ones({3, 4}), ag::tensor({0, 1, 2}));
       }},
      {"A floating-point op on an integer tensor", [](const fs::path&) { ag::exp(ag::ones({2}, ag::kInt64)); }},
      {"An integer tensor asked to require grad",
       [](const fs::path&) { ag::zeros({2}, ag::dtype(ag::kInt64).requires_grad(true)); }},
      {"An index out of range",
       [](const fs::path&) {
         ag::ones({2, 2}).gather(1, ag::tensor({{0, 2}}, ag::kInt64));
       }},
      {"A mask that is not bool", [](const fs::path&) { ag::ones({2}).masked_fill(ag::ones({2}), 0.0); }},
      // The graph.
      {"backward() of a non-scalar without a gradient",
       [](const fs::path&) { (ag::ones({2}, tracked()) * 2).backward(); }},
      {"backward() twice through a freed graph",
       [](const fs::path&) {
         const ag::Tensor y = (ag::ones({2}, tracked()) * 2).sum();
         y.backward();
         y.backward();
       }},
      {"hessian of a function with several outputs",
       [](const fs::path&) { ag::functional::hessian([](const ag::Tensor& x) { return x * x; }, ag::ones({2})); }},
      {"A reading of values that the graph freed",
       [](const fs::path&) {
         const ag::Tensor y = (ag::ones({1024}, tracked()) * 2 + 1).sum();
         y.grad_fn()->inputs()[0].to_vector();
       }},
      {"item() of a tensor with several elements", [](const fs::path&) { ag::ones({2}).item(); }},
      {"An undefined tensor", [](const fs::path&) { ag::Tensor().shape(); }},
      {"An in-place change of a tensor that requires grad",
       [](const fs::path&) { ag::ones({2}, tracked()).add_(ag::ones({2})); }},
      {"A tensor changed in place between the forward and backward()",
       [](const fs::path&) {
         ag::Tensor x = ag::ones({2});
         x.set_label("x");
         const ag::Tensor y = (ag::ones({2}, tracked()) * x).sum();
         x.add_(ag::ones({2}));
         y.backward();
       }},
      {"A NaN or Inf from a forward op, in anomaly mode",
       [](const fs::path&) {
         ag::DetectAnomalyGuard anomaly;
         ag::zeros({2}, tracked()).log();
       }},
      {"A NaN or Inf from a backward op, in anomaly mode",
       [](const fs::path&) {
         ag::DetectAnomalyGuard anomaly;
         ag::zeros({2}, tracked()).sqrt().sum().backward();
       }},
      {"A negative learning rate",
       [](const fs::path&) { ag::optim::SGD({ag::ones({2}, tracked())}, ag::optim::SGDOptions(-1)); }},
      // The examples' flags.
      {"A flag value of the wrong kind", example("tutorial", "--iterations lots")},
      {"An unknown flag", example("tutorial", "--fast")},
      {"A choice that does not exist", example("moons", "--variant fast")},
      {"A dataset folder without the dataset", example("fashion_mnist", "--data /nonexistent")},
      {"--resume without a checkpoint", example("fashion_mnist", "--resume")},
  };
  return table;
}

struct Row {
  std::string input;
  std::string error;
};

// The rows of the bad-input table of docs/troubleshooting.md: "| input | `error` |".
std::vector<Row> table_rows() {
  std::ifstream guide(fs::path(AG_TESTS_DIR).parent_path() / "docs" / "troubleshooting.md");
  REQUIRE(guide);
  const std::regex row(R"(^\| ([^|]+?) +\| `(.+)` +\|$)");
  std::vector<Row> rows;
  bool in_section = false;
  for (std::string line; std::getline(guide, line);) {
    if (line.starts_with("## ")) in_section = line == "## Bad input and the errors it gets";
    std::smatch match;
    if (in_section && std::regex_match(line, match, row)) rows.push_back({match[1], match[2]});
  }
  return rows;
}

// The table's message as a regular expression: literal text, and any <placeholder> matching one or more characters.
std::regex pattern_of(const std::string& message) {
  static const std::regex special(R"([.^$|()\[\]{}*+?\\])");
  static const std::regex placeholder("<[^<>]+>");
  const std::string literal = std::regex_replace(message, special, R"(\$&)");
  return std::regex(std::regex_replace(literal, placeholder, ".+"));
}

}  // namespace

TEST_CASE("every row of the troubleshooting guide's bad-input table gives exactly its error", "[docs][bad_input]") {
  const std::vector<Row> rows = table_rows();
  REQUIRE(rows.size() == triggers().size());
  for (const Row& row : rows) {
    INFO("table row: " << row.input);
    const auto trigger = triggers().find(row.input);
    REQUIRE(trigger != triggers().end());
    test_support::TempDir dir;
    std::string error = "no error";
    try {
      trigger->second(dir.path());
    } catch (const ag::Error& e) {
      error = e.what();
    }
    INFO("error: " << error);
    CHECK(std::regex_match(error, pattern_of(row.error)));
  }
}

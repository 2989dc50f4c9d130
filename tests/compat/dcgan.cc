// The DCGAN in the style of libtorch's C++ examples: a generator of ConvTranspose2d, BatchNorm2d
// and ReLU layers ending in Tanh, a discriminator of Conv2d, BatchNorm2d and LeakyReLU layers
// ending in Sigmoid, trained against each other with Adam and binary cross-entropy (real labels
// smoothed to [0.8, 1]). Built unchanged against libtorch and against tensorgrad::torch; it
// trains on seeded random "images" so that both builds print the same numbers, and saves and
// reloads the generator as the example's checkpoints do.
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

constexpr int64_t kNoiseSize = 100;
constexpr int64_t kBatchSize = 16;
constexpr int64_t kSteps = 8;

struct DCGANGeneratorImpl : torch::nn::Module {
  DCGANGeneratorImpl(int kNoiseSize)
      : conv1(torch::nn::ConvTranspose2dOptions(kNoiseSize, 256, 4).bias(false)),
        batch_norm1(256),
        conv2(torch::nn::ConvTranspose2dOptions(256, 128, 3).stride(2).padding(1).bias(false)),
        batch_norm2(128),
        conv3(torch::nn::ConvTranspose2dOptions(128, 64, 4).stride(2).padding(1).bias(false)),
        batch_norm3(64),
        conv4(torch::nn::ConvTranspose2dOptions(64, 1, 4).stride(2).padding(1).bias(false)) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv3", conv3);
    register_module("conv4", conv4);
    register_module("batch_norm1", batch_norm1);
    register_module("batch_norm2", batch_norm2);
    register_module("batch_norm3", batch_norm3);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(batch_norm1(conv1(x)));
    x = torch::relu(batch_norm2(conv2(x)));
    x = torch::relu(batch_norm3(conv3(x)));
    x = torch::tanh(conv4(x));
    return x;
  }

  // Declared in the order the constructor initialises them (batch norm draws no random numbers,
  // so the convolutions' weights are the same as with all convolutions first).
  torch::nn::ConvTranspose2d conv1;
  torch::nn::BatchNorm2d batch_norm1;
  torch::nn::ConvTranspose2d conv2;
  torch::nn::BatchNorm2d batch_norm2;
  torch::nn::ConvTranspose2d conv3;
  torch::nn::BatchNorm2d batch_norm3;
  torch::nn::ConvTranspose2d conv4;
};
TORCH_MODULE(DCGANGenerator);

int main() {
  torch::manual_seed(1);
  DCGANGenerator generator(kNoiseSize);
  torch::nn::Sequential discriminator(
      torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 64, 4).stride(2).padding(1).bias(false)),
      torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Conv2d(torch::nn::Conv2dOptions(64, 128, 4).stride(2).padding(1).bias(false)),
      torch::nn::BatchNorm2d(128),
      torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Conv2d(torch::nn::Conv2dOptions(128, 256, 4).stride(2).padding(1).bias(false)),
      torch::nn::BatchNorm2d(256),
      torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Conv2d(torch::nn::Conv2dOptions(256, 1, 3).stride(1).padding(0).bias(false)),
      torch::nn::Sigmoid());
  std::cout << discriminator << std::endl;

  torch::optim::Adam generator_optimizer(
      generator->parameters(), torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));
  torch::optim::Adam discriminator_optimizer(
      discriminator->parameters(),
      torch::optim::AdamOptions(2e-4).betas(std::make_tuple(0.5, 0.5)));

  for (int64_t step = 1; step <= kSteps; ++step) {
    torch::Tensor real_images = torch::rand({kBatchSize, 1, 28, 28}) * 2 - 1;
    discriminator->zero_grad();
    torch::Tensor real_labels = torch::empty(kBatchSize).uniform_(0.8, 1.0);
    torch::Tensor real_output = discriminator->forward(real_images).reshape(real_labels.sizes());
    torch::Tensor d_loss_real = torch::binary_cross_entropy(real_output, real_labels);
    d_loss_real.backward();

    torch::Tensor noise = torch::randn({kBatchSize, kNoiseSize, 1, 1});
    torch::Tensor fake_images = generator->forward(noise);
    torch::Tensor fake_labels = torch::zeros(kBatchSize);
    torch::Tensor fake_output =
        discriminator->forward(fake_images.detach()).reshape(fake_labels.sizes());
    torch::Tensor d_loss_fake = torch::binary_cross_entropy(fake_output, fake_labels);
    d_loss_fake.backward();
    torch::Tensor d_loss = d_loss_real + d_loss_fake;
    discriminator_optimizer.step();

    generator->zero_grad();
    fake_labels.fill_(1);
    fake_output = discriminator->forward(fake_images).reshape(fake_labels.sizes());
    torch::Tensor g_loss = torch::binary_cross_entropy(fake_output, fake_labels);
    g_loss.backward();
    generator_optimizer.step();

    std::printf("[%2ld/%2ld] D_loss: %.4f | G_loss: %.4f\n", step, kSteps, d_loss.item<float>(),
                g_loss.item<float>());
  }

  torch::save(generator, "dcgan-generator-checkpoint.pt");
  DCGANGenerator restored(kNoiseSize);
  torch::load(restored, "dcgan-generator-checkpoint.pt");
  torch::NoGradGuard no_grad;
  generator->eval();
  restored->eval();
  torch::Tensor noise = torch::randn({2, kNoiseSize, 1, 1});
  std::cout << "restored generator agrees: " << std::boolalpha
            << torch::allclose(generator->forward(noise), restored->forward(noise)) << std::endl;
  std::cout << "sample mean: " << generator->forward(noise).mean().item<float>() << std::endl;
}

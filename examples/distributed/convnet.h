// The convolutional classifier of the distributed example and benchmark: two 5x5 convolutions
// with max pooling and two linear layers, for 1x28x28 images in 10 classes (Fashion-MNIST).
#pragma once

#include <tensorgrad/tensorgrad.h>

struct ConvNet : tg::nn::Module {
  ConvNet() {
    using namespace tg::nn;
    conv1 = register_module("conv1", Conv2d(Conv2dOptions(1, 16, 5).padding(2)));
    conv2 = register_module("conv2", Conv2d(Conv2dOptions(16, 32, 5).padding(2)));
    fc1 = register_module("fc1", Linear(32 * 7 * 7, 128));
    fc2 = register_module("fc2", Linear(128, 10));
  }
  tg::Tensor forward(const tg::Tensor& x) {
    tg::Tensor h = tg::relu(tg::max_pool2d(conv1->forward(x), {2}));
    h = tg::relu(tg::max_pool2d(conv2->forward(h), {2}));
    h = tg::relu(fc1->forward(h.flatten(1)));
    return fc2->forward(h);
  }
  std::shared_ptr<tg::nn::Conv2dImpl> conv1, conv2;
  std::shared_ptr<tg::nn::LinearImpl> fc1, fc2;
};

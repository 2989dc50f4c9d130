// Checkpoints shared with real PyTorch, both ways, with the tutorial's network
// (layers = Sequential(Linear(1, 512), Tanh(), Linear(512, 1))):
//  - PyTorch -> tensorgrad: tests/fixtures/io/torch_widenet*.safetensors, written by
//    `scripts/check_safetensors_roundtrip.py write-fixtures`, load into tensorgrad's WideNet, which
//    then predicts what PyTorch predicted;
//  - tensorgrad -> PyTorch: a checkpoint and tensorgrad's predictions go to a temporary directory
//    (or to $TG_IO_EXPORT_DIR, kept), and `scripts/check_safetensors_roundtrip.py check` loads
//    them into torch.nn and compares, when /usr/bin/python3 has torch (otherwise skipped).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "io/io_test_util.h"
#include "tensorgrad/io.h"
#include "tensorgrad/nn/modules.h"
#include "tensorgrad/random.h"

namespace {

using namespace tg_io_test;
using tg::Tensor;

struct WideNetImpl : tg::nn::Module {
  explicit WideNetImpl(int64_t hidden = 512) {
    // Braces: list-initialisation constructs the layers left to right, so they draw their initial
    // values in PyTorch's order (with parentheses the order is the compiler's choice).
    layers = register_module("layers", tg::nn::Sequential{tg::nn::Linear(1, hidden), tg::nn::Tanh(),
                                                          tg::nn::Linear(hidden, 1)});
  }
  Tensor forward(const Tensor& x) { return layers->forward(x); }
  tg::nn::Sequential layers{nullptr};
};
TG_MODULE(WideNet);

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return (a.to(tg::kDouble) - b.to(tg::kDouble)).abs().max().item<double>();
}

TEST(PyTorchCheckpoints, TorchWideNetLoadsAndPredictsTheSame) {
  WideNet net;
  tg::load(net, fixture("torch_widenet.safetensors"));
  const auto io = tg::load(fixture("torch_widenet_io.safetensors"));
  const Tensor predictions = net->forward(io["inputs"]);
  ASSERT_EQ(predictions.sizes().vec(), io["predictions"].sizes().vec());
  EXPECT_LE(max_abs_diff(predictions, io["predictions"]), 1e-6);
}

// PyTorch made its fixture right after torch.manual_seed(0); tensorgrad's Linear initialisation
// matches PyTorch's, so the same seed gives the same checkpoint bit for bit.
TEST(PyTorchCheckpoints, SameSeedGivesTorchsCheckpoint) {
  tg::manual_seed(0);
  WideNet net;
  const auto torch_state = tg::load(fixture("torch_widenet.safetensors"));
  for (const auto& p : net->named_parameters()) {
    SCOPED_TRACE(p.key());
    ASSERT_TRUE(torch_state.contains(p.key()));
    EXPECT_TRUE(same_tensor(p.value(), torch_state[p.key()]));
  }
}

TEST(PyTorchCheckpoints, TensorgradCheckpointLoadsInPyTorch) {
  tg::manual_seed(123);
  WideNet net;
  const Tensor inputs = tg::linspace(-3, 3, 64).unsqueeze(1);
  Tensor predictions;
  {
    tg::NoGradGuard no_grad;
    predictions = net->forward(inputs);
  }
  TempDir tmp;
  const char* keep = std::getenv("TG_IO_EXPORT_DIR");
  const std::filesystem::path dir = keep ? std::filesystem::path(keep) : tmp.path();
  std::filesystem::create_directories(dir);
  const auto checkpoint = dir / "tensorgrad_widenet.safetensors";
  const auto data = dir / "tensorgrad_widenet_io.safetensors";
  tg::save(net, checkpoint);
  tg::OrderedDict<std::string, Tensor> io;
  io.insert("inputs", inputs);
  io.insert("predictions", predictions);
  tg::save(io, data);

  // The checkpoint loads back into tensorgrad exactly, whatever Python can do.
  WideNet back;
  tg::load(back, checkpoint);
  EXPECT_TRUE(snapshot(*back) == snapshot(*net)) << "the checkpoint did not load back exactly";

  if (std::system("/usr/bin/python3 -c 'import torch, numpy' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with torch and numpy is not available; files are in " << dir;
  const std::string script = (std::filesystem::path(TG_FIXTURE_DIR) / ".." / ".." / "scripts" /
                              "check_safetensors_roundtrip.py")
                                 .lexically_normal()
                                 .string();
  const std::string cmd = "/usr/bin/python3 '" + script + "' check --checkpoint '" +
                          checkpoint.string() + "' --data '" + data.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

}  // namespace

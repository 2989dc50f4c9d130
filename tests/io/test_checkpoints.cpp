// PyTorch's own checkpoint files, both ways (scripts/make_checkpoint_fixtures.py writes the
// fixtures with PyTorch 1.13 and checks tensorgrad's files), torch::save/torch::load of tensors,
// modules and optimizers, archives, load_state_dict's errors, and bit-identical resumption.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "io/io_test_util.h"
#include "tensorgrad/nn/functional.h"
#include "tensorgrad/nn/modules.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/random.h"
#include "tensorgrad/serialize.h"

namespace {

using namespace tg_io_test;
using tg::IValue;
using tg::Tensor;

// The fixture script's MLP: Sequential(Linear(4, 8), Tanh(), Linear(8, 3)) and two buffers.
struct MLPImpl : tg::nn::Module {
  MLPImpl() {
    layers = register_module(
        "layers", tg::nn::Sequential{tg::nn::Linear(4, 8), tg::nn::Tanh(), tg::nn::Linear(8, 3)});
    scale = register_buffer("scale", tg::full({3}, 0.5, tg::TensorOptions().dtype(tg::kDouble)));
    count = register_buffer("count", tg::tensor(int64_t{7}));
  }
  Tensor forward(const Tensor& x) { return layers->forward(x) * scale.to(tg::kFloat); }
  tg::nn::Sequential layers{nullptr};
  Tensor scale, count;
};
TG_MODULE(MLP);

double max_abs_diff(const Tensor& a, const Tensor& b) {
  return (a.to(tg::kDouble) - b.to(tg::kDouble)).abs().max().item<double>();
}

const IValue& at(const IValue& dict, const std::string& key) {
  const IValue* v = dict.find(key);
  if (!v) throw std::runtime_error("no key " + key);
  return *v;
}

Tensor predict(MLP& net, const Tensor& x) {
  tg::NoGradGuard no_grad;
  return net->forward(x);
}

void train(MLP& net, tg::optim::Optimizer& opt, const Tensor& x, const Tensor& y, int steps,
           std::vector<double>* losses = nullptr, tg::optim::LRScheduler* sched = nullptr) {
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    Tensor loss = tg::nn::functional::mse_loss(net->forward(x), y);
    loss.backward();
    opt.step();
    if (sched) sched->step();
    if (losses) losses->push_back(loss.item<double>());
  }
}

// ---- PyTorch -> tensorgrad

TEST(TorchFiles, StateDictLoadsWithEveryTensor) {
  const auto state = tg::load_state_dict(fixture("torch_mlp_state.pt"));
  ASSERT_EQ(state.keys(),
            (std::vector<std::string>{"scale", "count", "layers.0.weight", "layers.0.bias",
                                      "layers.2.weight", "layers.2.bias"}));
  EXPECT_EQ(state["layers.0.weight"].sizes().vec(), (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(state["count"].scalar_type(), tg::kLong);
  EXPECT_EQ(state["count"].item<int64_t>(), 7);
  EXPECT_EQ(state["scale"].scalar_type(), tg::kDouble);
  EXPECT_FALSE(state["layers.0.weight"].requires_grad());
}

TEST(TorchFiles, PythonTrainedModelPredictsAsPyTorch) {
  MLP net;
  tg::load(net, fixture("torch_mlp_state.pt"));
  const IValue io = tg::torch_load(fixture("torch_mlp_io.pt"));
  const Tensor x = at(io, "inputs").toTensor();
  const Tensor expected = at(io, "predictions").toTensor();
  const Tensor got = predict(net, x);
  ASSERT_EQ(got.sizes().vec(), expected.sizes().vec());
  EXPECT_LE(max_abs_diff(got, expected), 1e-6);
  EXPECT_EQ(net->count.item<int64_t>(), 7);
}

TEST(TorchFiles, PythonOptimizerStateContinuesTraining) {
  MLP net;
  tg::load(net, fixture("torch_mlp_state.pt"));
  tg::optim::SGD sgd(net->parameters(), tg::optim::SGDOptions(0.5));
  tg::load(sgd, fixture("torch_mlp_sgd.pt"));
  const auto& opts = static_cast<const tg::optim::SGDOptions&>(sgd.param_groups()[0].options());
  EXPECT_EQ(opts.lr(), 0.1);
  EXPECT_EQ(opts.momentum(), 0.9);
  EXPECT_EQ(sgd.state().size(), 4u);
  const IValue io = tg::torch_load(fixture("torch_mlp_io.pt"));
  const Tensor x = at(io, "inputs").toTensor(), y = at(io, "targets").toTensor();
  train(net, sgd, x, y, 1);
  EXPECT_LE(max_abs_diff(predict(net, x), at(io, "next_predictions").toTensor()), 1e-6);
}

TEST(TorchFiles, AdamCheckpointInANestedDict) {
  const IValue ckpt = tg::torch_load(fixture("torch_mlp_adam.pt"));
  MLP net;
  tg::optim::Adam adam(net->parameters(), tg::optim::AdamOptions(0.5));
  std::vector<std::string> keys;
  const auto state = tg::load_state_dict(fixture("torch_mlp_adam.pt"));
  // Flattened with dots: the model's tensors under "model.", the optimizer's under "optimizer.".
  EXPECT_TRUE(state.contains("model.layers.0.weight"));
  tg::OrderedDict<std::string, Tensor> model_state;
  for (const auto& kv : at(ckpt, "model").toGenericDict())
    model_state.insert(kv.first.toStringRef(), kv.second.toTensor());
  net->load_state_dict(model_state);
  tg::optim::load_state_dict(adam, at(ckpt, "optimizer"));
  const auto& opts = static_cast<const tg::optim::AdamOptions&>(adam.param_groups()[0].options());
  EXPECT_EQ(opts.lr(), 0.01);
  for (const auto& p : net->parameters()) {
    const auto& st = static_cast<const tg::optim::AdamParamState&>(
        *adam.state().at(tg::optim::param_state_key(p)));
    EXPECT_EQ(st.step(), 3);
    EXPECT_EQ(st.exp_avg().sizes(), p.sizes());
  }
  const IValue io = tg::torch_load(fixture("torch_mlp_io.pt"));
  EXPECT_LE(max_abs_diff(predict(net, at(io, "inputs").toTensor()),
                         at(io, "adam_predictions").toTensor()),
            1e-6);
}

TEST(TorchFiles, ContainersViewsAndEveryDtype) {
  const IValue c = tg::torch_load(fixture("torch_containers.pt"));
  const auto& tensors = at(c, "tensors").toList();
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].toTensor()[1].item<float>(), -2.0f);
  EXPECT_EQ(tensors[1].toTensor().sizes().vec(), (std::vector<int64_t>{0, 3}));

  const IValue& d = at(c, "dtypes");
  EXPECT_EQ(at(d, "float32").toTensor().scalar_type(), tg::kFloat);
  EXPECT_EQ(at(d, "float32").toTensor()[2].item<float>(), 3.0e38f);
  EXPECT_EQ(at(d, "float64").toTensor()[0].item<double>(), 1e-300);
  EXPECT_EQ(at(d, "int64").toTensor()[0].item<int64_t>(), -(int64_t{1} << 62));
  const Tensor b = at(d, "bool").toTensor();
  EXPECT_EQ(b.scalar_type(), tg::kBool);
  EXPECT_TRUE(b[0].item<bool>());
  EXPECT_FALSE(b[1].item<bool>());
  EXPECT_EQ(at(d, "scalar").toTensor().dim(), 0);
  EXPECT_EQ(at(d, "scalar").toTensor().item<double>(), 4.0);

  // Views keep their geometry and share the storage: a write through one shows in the others.
  const IValue& v = at(c, "views");
  Tensor base = at(v, "base").toTensor(), row = at(v, "row").toTensor();
  Tensor column = at(v, "column").toTensor(), transposed = at(v, "transposed").toTensor();
  EXPECT_EQ(row.storage_offset(), 4);
  EXPECT_EQ(column.strides().vec(), (std::vector<int64_t>{4}));
  EXPECT_EQ(transposed.strides().vec(), (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(column[1].item<float>(), 6.0f);
  base.fill_(-1.0);
  EXPECT_EQ(row[0].item<float>(), -1.0f);
  EXPECT_EQ(transposed[3][2].item<float>(), -1.0f);

  EXPECT_EQ(at(at(at(at(c, "nested"), "a"), "b"), "c").toTensor().scalar_type(), tg::kLong);
  const auto& numbers = at(c, "numbers").toTupleRef();
  ASSERT_EQ(numbers.size(), 7u);
  EXPECT_EQ(numbers[0].toInt(), 1);
  EXPECT_EQ(numbers[1].toInt(), -7);
  EXPECT_EQ(numbers[2].toInt(), int64_t{1} << 40);
  EXPECT_EQ(numbers[3].toDouble(), 2.5);
  EXPECT_TRUE(numbers[4].toBool());
  EXPECT_TRUE(numbers[5].isNone());
  EXPECT_EQ(numbers[6].toStringRef(), "text");
  EXPECT_TRUE(at(c, "requires_grad").toTensor().requires_grad());
  bool found_int_key = false;
  for (const auto& kv : c.toGenericDict())
    if (kv.first.isInt() && kv.first.toInt() == 7)
      found_int_key = kv.second.toStringRef() == "an integer key";
  EXPECT_TRUE(found_int_key);
}

// ---- tensorgrad -> PyTorch (and back)

TEST(TorchFiles, PickleSaveRoundTripsInMemory) {
  Tensor base = tg::arange(6, tg::TensorOptions().dtype(tg::kDouble)).reshape({2, 3});
  IValue value =
      IValue::dict({{"base", base},
                    {"t", base.t()},
                    {"list", IValue::list({IValue(int64_t{-3}), IValue(2.25), IValue("s")})},
                    {int64_t{5}, IValue::tuple({IValue(true), IValue()})}});
  const std::vector<char> bytes = tg::pickle_save(value);
  const IValue back = tg::pickle_load(bytes);
  EXPECT_TRUE(at(back, "t").toTensor().equal(base.t()));
  Tensor(at(back, "base").toTensor()).fill_(7.0);
  EXPECT_EQ(at(back, "t").toTensor()[2][1].item<double>(), 7.0);  // still one storage
  EXPECT_EQ(at(back, "list").toList()[0].toInt(), -3);
  EXPECT_EQ(at(back, "list").toList()[1].toDouble(), 2.25);
  EXPECT_EQ(back.toGenericDict()[3].first.toInt(), 5);
  EXPECT_TRUE(back.toGenericDict()[3].second.toTupleRef()[0].toBool());
  // The same value gives the same bytes.
  EXPECT_EQ(tg::pickle_save(value), bytes);
}

TEST(TorchFiles, TensorgradFilesLoadInPyTorch) {
  TempDir tmp;
  const char* keep = std::getenv("TG_IO_EXPORT_DIR");
  const fs::path dir = keep ? fs::path(keep) : tmp.path();
  fs::create_directories(dir);
  const IValue io = tg::torch_load(fixture("torch_mlp_io.pt"));
  const Tensor x = at(io, "inputs").toTensor(), y = at(io, "targets").toTensor();

  // SGD: continue the Python run by one step here, save, and record one more step's result.
  MLP net;
  tg::load(net, fixture("torch_mlp_state.pt"));
  tg::optim::SGD sgd(net->parameters(), tg::optim::SGDOptions(0.5));
  tg::load(sgd, fixture("torch_mlp_sgd.pt"));
  train(net, sgd, x, y, 1);
  tg::save(net, dir / "tensorgrad_mlp.pt");
  tg::save(sgd, dir / "tensorgrad_sgd.pt");
  const Tensor predictions = predict(net, x);
  train(net, sgd, x, y, 1);
  const Tensor next_predictions = predict(net, x);

  MLP adam_net;
  tg::optim::Adam adam(adam_net->parameters(), tg::optim::AdamOptions(0.01));
  train(adam_net, adam, x, y, 2);
  tg::torch_save(IValue::dict({{"model", tg::state_dict_value(*adam_net)},
                               {"optimizer", tg::optim::state_dict(adam)}}),
                 dir / "tensorgrad_adam.pt");
  train(adam_net, adam, x, y, 1);
  const Tensor adam_next = predict(adam_net, x);

  tg::torch_save(IValue::dict({{"inputs", x},
                               {"targets", y},
                               {"predictions", predictions},
                               {"next_predictions", next_predictions},
                               {"adam_next_predictions", adam_next}}),
                 dir / "tensorgrad_io.pt");
  Tensor base = tg::arange(12, tg::TensorOptions().dtype(tg::kFloat)).reshape({3, 4});
  tg::torch_save(
      IValue::dict(
          {{"numbers", IValue::tuple({int64_t{1}, int64_t{-7}, int64_t{1} << 40, 2.5, true,
                                      IValue(), "text"})},
           {"views", IValue::dict({{"base", base}, {"row", base[1]}, {"transposed", base.t()}})},
           {"dtypes",
            IValue::dict(
                {{"int64", tg::tensor({-(int64_t{1} << 62), int64_t{5}})},
                 {"bool", tg::tensor({true, false, true})},
                 {"float64", tg::tensor({1e-300, -2.5}, tg::TensorOptions().dtype(tg::kDouble))}})},
           {"list", IValue::list({tg::ones({2}), tg::zeros({0, 3})})}}),
      dir / "tensorgrad_containers.pt");
  tg::save(tg::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({2, 2}), dir / "tensorgrad_tensor.pt");

  // Everything loads back here first.
  MLP back;
  tg::load(back, dir / "tensorgrad_mlp.pt");
  EXPECT_LE(max_abs_diff(predict(back, x), predictions), 0.0);
  Tensor t;
  tg::load(t, dir / "tensorgrad_tensor.pt");
  EXPECT_EQ(t[1][0].item<float>(), 3.0f);

  if (std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with torch is not available; files are in " << dir;
  const std::string script =
      (fs::path(TG_FIXTURE_DIR) / ".." / ".." / "scripts" / "make_checkpoint_fixtures.py")
          .lexically_normal()
          .string();
  const std::string cmd = "/usr/bin/python3 '" + script + "' check '" + dir.string() + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

TEST(TorchFiles, ModuleFormatFollowsTheFileName) {
  TempDir tmp;
  MLP net;
  tg::save(net, tmp / "m.pt");
  tg::save(net, tmp / "m.pth");
  tg::save(net, tmp / "m.safetensors");
  EXPECT_EQ(read_bytes(tmp / "m.pt").substr(0, 2), "PK");
  EXPECT_EQ(read_bytes(tmp / "m.pth").substr(0, 2), "PK");
  EXPECT_NE(read_bytes(tmp / "m.safetensors").substr(0, 2), "PK");
  for (const char* name : {"m.pt", "m.pth", "m.safetensors"}) {
    MLP other;
    tg::load(other, tmp / name);
    for (const auto& p : net->state_dict())
      EXPECT_TRUE(p.value().equal(other->state_dict()[p.key()])) << name << " " << p.key();
  }
}

TEST(TorchFiles, TensorsAndTensorLists) {
  TempDir tmp;
  std::vector<Tensor> list = {tg::randn({2, 3}), tg::tensor({int64_t{4}, int64_t{5}}),
                              tg::tensor({true})};
  tg::save(list, tmp / "l.pt");
  std::vector<Tensor> back;
  tg::load(back, tmp / "l.pt");
  ASSERT_EQ(back.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(back[i].equal(list[i]));
  Tensor t;
  EXPECT_THROW(tg::load(t, tmp / "l.pt"), tg::Error);  // a list, not a tensor
}

// ---- archives

TEST(Archives, NestedValuesTensorsAndKeys) {
  TempDir tmp;
  tg::serialize::OutputArchive out, inner;
  inner.write("w", tg::ones({2}));
  inner.write("flag", IValue(true));
  out.write("x", tg::arange(3));
  out.write("name", IValue("net"));
  out.write("inner", inner);
  out.save_to((tmp / "a.pt").string());

  tg::serialize::InputArchive in;
  in.load_from((tmp / "a.pt").string());
  EXPECT_EQ(in.keys(), (std::vector<std::string>{"x", "name", "inner"}));
  Tensor x;
  in.read("x", x);
  EXPECT_TRUE(x.equal(tg::arange(3)));
  Tensor defined = tg::zeros({3}, tg::TensorOptions().dtype(tg::kLong));
  in.read("x", defined);  // copies into a defined tensor
  EXPECT_EQ(defined[2].item<int64_t>(), 2);
  IValue name;
  in.read("name", name);
  EXPECT_EQ(name.toStringRef(), "net");
  tg::serialize::InputArchive nested;
  in.read("inner", nested);
  IValue flag;
  EXPECT_TRUE(nested.try_read("flag", flag));
  EXPECT_TRUE(flag.toBool());
  EXPECT_FALSE(nested.try_read("missing", flag));
  EXPECT_THROW(nested.read("missing", x), tg::Error);

  std::ostringstream os;
  out.save_to(os);
  std::istringstream is(os.str());
  tg::serialize::InputArchive from_stream;
  from_stream.load_from(is);
  EXPECT_EQ(from_stream.keys().size(), 3u);
}

// ---- load_state_dict

TEST(LoadStateDict, ReportsMissingUnexpectedAndMisShapedKeysAsPyTorch) {
  MLP net;
  const auto before = net->layers->parameters()[0].clone();
  auto state = net->state_dict();
  tg::OrderedDict<std::string, Tensor> bad;
  for (const auto& kv : state)
    if (kv.key() != "count") bad.insert(kv.key(), kv.value().clone().add_(1));
  bad["layers.2.bias"] = tg::zeros({4});
  bad.insert("extra", tg::zeros({1}));
  try {
    net->load_state_dict(bad);
    FAIL() << "no error";
  } catch (const tg::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "Error(s) in loading state_dict for MLP:\n"
              "\tMissing key(s) in state_dict: \"count\". \n"
              "\tUnexpected key(s) in state_dict: \"extra\". \n"
              "\tsize mismatch for layers.2.bias: copying a param with shape torch.Size([4]) from "
              "checkpoint, the shape in current model is torch.Size([3]).");
  }
  EXPECT_TRUE(net->layers->parameters()[0].equal(before));  // nothing changed
  // Not strict: the size mismatch is still an error; without it the rest loads.
  EXPECT_THROW(net->load_state_dict(bad, false), tg::Error);
  bad["layers.2.bias"] = tg::zeros({3});
  const auto keys = net->load_state_dict(bad, false);
  EXPECT_EQ(keys.missing_keys, std::vector<std::string>{"count"});
  EXPECT_EQ(keys.unexpected_keys, std::vector<std::string>{"extra"});
  EXPECT_TRUE(net->layers->parameters()[0].equal(before + 1));
}

TEST(LoadStateDict, FromAFileIntoTheWrongModule) {
  tg::nn::Linear linear(4, 8);
  const Tensor before = linear->weight.clone();
  try {
    tg::load(linear, fixture("torch_mlp_state.pt"));
    FAIL() << "no error";
  } catch (const tg::Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("torch_mlp_state.pt"), std::string::npos) << m;
    EXPECT_NE(m.find("Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "
                     "\"weight\", \"bias\". \n\tUnexpected key(s) in state_dict: \"scale\""),
              std::string::npos)
        << m;
  }
  EXPECT_TRUE(linear->weight.equal(before));
  // Not strict: nothing matches, nothing is loaded, and that is not an error.
  EXPECT_NO_THROW(tg::load(linear, fixture("torch_mlp_state.pt"), false));
}

TEST(LoadStateDict, ConvertsTheDtypeAsPyTorch) {
  MLP net;
  auto state = net->state_dict();
  tg::OrderedDict<std::string, Tensor> converted;
  for (const auto& kv : state) converted.insert(kv.key(), kv.value().to(tg::kDouble));
  converted["count"] = tg::tensor(3.0);
  net->load_state_dict(converted);
  EXPECT_EQ(net->count.scalar_type(), tg::kLong);
  EXPECT_EQ(net->count.item<int64_t>(), 3);
}

// ---- resuming: stopped, saved, loaded into fresh objects, continued = never stopped

// Runs `work` in a child process (fork) and returns the doubles it produced through a pipe: a
// resumption there starts from nothing but the files, as a new run of a program would.
std::vector<double> in_child_process(const std::function<std::vector<double>()>& work) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    int status = 0;
    try {
      const std::vector<double> out = work();
      const size_t bytes = out.size() * sizeof(double);
      status = write(fds[1], out.data(), bytes) == static_cast<ssize_t>(bytes) ? 0 : 2;
    } catch (...) {
      status = 3;
    }
    close(fds[1]);
    _exit(status);
  }
  close(fds[1]);
  std::vector<double> out;
  double v;
  while (read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) out.push_back(v);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  return out;
}

template <typename Opt, typename Options>
void expect_bit_identical_resume(const Options& options, bool with_scheduler,
                                 bool fresh_process = false) {
  const IValue io = tg::torch_load(fixture("torch_mlp_io.pt"));
  const Tensor x = at(io, "inputs").toTensor(), y = at(io, "targets").toTensor();
  constexpr int kBefore = 4, kAfter = 5;

  tg::manual_seed(3);
  MLP straight;
  Opt opt(straight->parameters(), options);
  tg::optim::StepLR sched(opt, 3, 0.5);
  std::vector<double> expected;
  train(straight, opt, x, y, kBefore + kAfter, &expected, with_scheduler ? &sched : nullptr);

  TempDir tmp;
  std::vector<double> losses;
  {
    tg::manual_seed(3);
    MLP first;
    Opt opt1(first->parameters(), options);
    tg::optim::StepLR sched1(opt1, 3, 0.5);
    train(first, opt1, x, y, kBefore, &losses, with_scheduler ? &sched1 : nullptr);
    tg::save(first, tmp / "model.pt");
    tg::save(opt1, tmp / "optimizer.pt");
    tg::torch_save(sched1.state_dict(), tmp / "scheduler.pt");
  }
  const auto resume = [&] {
    tg::manual_seed(99);  // fresh objects start elsewhere
    MLP second;
    Opt opt2(second->parameters(), options);
    tg::optim::StepLR sched2(opt2, 3, 0.5);
    tg::load(second, tmp / "model.pt");
    tg::load(opt2, tmp / "optimizer.pt");
    sched2.load_state_dict(tg::torch_load(tmp / "scheduler.pt"));
    std::vector<double> after;
    train(second, opt2, x, y, kAfter, &after, with_scheduler ? &sched2 : nullptr);
    return after;
  };
  const std::vector<double> after = fresh_process ? in_child_process(resume) : resume();
  losses.insert(losses.end(), after.begin(), after.end());

  ASSERT_EQ(losses.size(), expected.size());
  for (size_t i = 0; i < losses.size(); ++i) EXPECT_EQ(losses[i], expected[i]) << "step " << i;
}

TEST(Resume, InAFreshProcessSGDMomentumWithStepLR) {
  expect_bit_identical_resume<tg::optim::SGD>(tg::optim::SGDOptions(0.1).momentum(0.9), true, true);
}
TEST(Resume, InAFreshProcessAdamWithStepLR) {
  expect_bit_identical_resume<tg::optim::Adam>(tg::optim::AdamOptions(0.01), true, true);
}
TEST(Resume, SGDMomentumWithStepLR) {
  expect_bit_identical_resume<tg::optim::SGD>(
      tg::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-3), true);
}
TEST(Resume, Adam) {
  expect_bit_identical_resume<tg::optim::Adam>(tg::optim::AdamOptions(0.01).amsgrad(true), false);
}
TEST(Resume, AdamWithStepLR) {
  expect_bit_identical_resume<tg::optim::Adam>(tg::optim::AdamOptions(0.01), true);
}
TEST(Resume, AdamW) {
  expect_bit_identical_resume<tg::optim::AdamW>(tg::optim::AdamWOptions(0.01), true);
}
TEST(Resume, RMSpropCenteredWithMomentum) {
  expect_bit_identical_resume<tg::optim::RMSprop>(
      tg::optim::RMSpropOptions(0.01).momentum(0.5).centered(true), true);
}
TEST(Resume, Adagrad) {
  expect_bit_identical_resume<tg::optim::Adagrad>(tg::optim::AdagradOptions(0.1).lr_decay(0.01),
                                                  true);
}

TEST(Resume, OptimizerStateMustMatchTheGroups) {
  TempDir tmp;
  MLP net;
  tg::optim::SGD sgd(net->parameters(), tg::optim::SGDOptions(0.1).momentum(0.9));
  tg::load(sgd, fixture("torch_mlp_sgd.pt"));
  tg::optim::SGD fewer(net->layers->parameters(false), tg::optim::SGDOptions(0.1));
  EXPECT_THROW(tg::load(fewer, fixture("torch_mlp_sgd.pt")), tg::Error);
  tg::optim::Adam adam(net->parameters());
  // Adam has no momentum_buffer: an error, and Adam is unchanged.
  EXPECT_THROW(tg::load(adam, fixture("torch_mlp_sgd.pt")), tg::Error);
  EXPECT_TRUE(adam.state().empty());
}

}  // namespace

// Every collective of ProcessGroupMPI against the serial result, for every reduce op and dtype, on
// contiguous and non-contiguous tensors. Each rank can build every rank's input (a function of
// the rank), so each computes the serial reference itself. The values are small multiples of 1/4:
// sums and products are exact in any order, so results compare exactly.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "mpi_env.h"

namespace tg::distributed {
namespace {

using mpitest::group;

const ScalarType kDtypes[] = {kBool, kLong, kFloat, kDouble};
const ReduceOp::RedOpType kOps[] = {ReduceOp::SUM, ReduceOp::AVG, ReduceOp::PRODUCT, ReduceOp::MIN,
                                    ReduceOp::MAX};

double value(int rank, int64_t i, ScalarType dt, int salt) {
  switch (dt) {
    case ScalarType::Bool:
      return (i + rank + salt) % 3 == 0 ? 1.0 : 0.0;
    case ScalarType::Long:
      return static_cast<double>((rank + 1 + salt) * (i % 5) - 2 * rank);
    default:
      return static_cast<double>((rank + 1 + salt) * (i % 7) - 3 * rank) * 0.25;
  }
}

// A [3, 5] tensor of rank `rank`'s values; non-contiguous: the transpose of a [5, 3] one.
Tensor make_input(int rank, ScalarType dt, bool contiguous, int salt = 0) {
  std::vector<int64_t> shape = contiguous ? std::vector<int64_t>{3, 5} : std::vector<int64_t>{5, 3};
  Tensor base = tg::empty(shape, tg::dtype(kDouble));
  auto* p = base.data_ptr<double>();
  for (int64_t i = 0; i < base.numel(); ++i) p[i] = value(rank, i, dt, salt);
  Tensor t = base.to(dt);
  return contiguous ? t : t.t();
}

// An output tensor of the same layout, filled with a sentinel.
Tensor make_output(ScalarType dt, bool contiguous) {
  Tensor t = make_input(0, dt, contiguous, 1000);
  EXPECT_EQ(t.is_contiguous(), contiguous);
  return t;
}

std::vector<double> values_of(const Tensor& t) {
  Tensor d = t.contiguous().to(kDouble);
  const double* p = d.data_ptr<double>();
  return std::vector<double>(p, p + d.numel());
}

// The serial reduction of the given tensors, rounded as the dtype rounds it.
std::vector<double> reference(const std::vector<Tensor>& inputs, ReduceOp op, ScalarType dt) {
  std::vector<double> acc = values_of(inputs[0]);
  const size_t n = acc.size();
  for (size_t k = 1; k < inputs.size(); ++k) {
    std::vector<double> v = values_of(inputs[k]);
    for (size_t i = 0; i < n; ++i) {
      switch (op) {
        case ReduceOp::SUM:
        case ReduceOp::AVG:
          acc[i] += v[i];
          break;
        case ReduceOp::PRODUCT:
          acc[i] *= v[i];
          break;
        case ReduceOp::MIN:
          acc[i] = std::min(acc[i], v[i]);
          break;
        case ReduceOp::MAX:
          acc[i] = std::max(acc[i], v[i]);
          break;
      }
    }
  }
  const auto size = static_cast<int64_t>(inputs.size());
  for (auto& a : acc) {
    if (dt == kBool) a = a != 0 ? 1.0 : 0.0;
    if (op == ReduceOp::AVG) {
      if (dt == kFloat) a = static_cast<double>(static_cast<float>(a) / static_cast<float>(size));
      if (dt == kDouble) a = a / static_cast<double>(size);
      if (dt == kLong) a = static_cast<double>(static_cast<int64_t>(a) / size);
    }
  }
  return acc;
}

std::string label(ScalarType dt, bool contiguous, const char* op = "") {
  return std::string(dtype_name(dt)) + (contiguous ? " contiguous " : " non-contiguous ") + op;
}

TEST(ProcessGroupMPI, RankAndSize) {
  auto& pg = group();
  EXPECT_GE(pg->getSize(), 2);
  EXPECT_GE(pg->getRank(), 0);
  EXPECT_LT(pg->getRank(), pg->getSize());
  // Every rank reports a different rank: their sum is 0 + 1 + ... + (size - 1).
  Tensor r = tg::full({1}, static_cast<int64_t>(pg->getRank()), tg::dtype(kLong));
  std::vector<Tensor> v{r};
  pg->allreduce(v)->wait();
  EXPECT_EQ(r.item<int64_t>(), int64_t{pg->getSize()} * (pg->getSize() - 1) / 2);
}

TEST(ProcessGroupMPI, AllreduceEveryOpAndDtype) {
  auto& pg = group();
  const int n = pg->getSize();
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      std::vector<Tensor> all;
      for (int r = 0; r < n; ++r) all.push_back(make_input(r, dt, contiguous));
      for (auto op : kOps) {
        Tensor t = make_input(pg->getRank(), dt, contiguous);
        std::vector<Tensor> v{t};
        if (dt == kBool && op == ReduceOp::AVG) {
          EXPECT_THROW(pg->allreduce(v, {op}), Error);
          continue;
        }
        auto work = pg->allreduce(v, {op});
        EXPECT_TRUE(work->wait());
        EXPECT_TRUE(work->isSuccess());
        EXPECT_EQ(t.is_contiguous(), contiguous);
        EXPECT_EQ(values_of(t), reference(all, op, dt))
            << label(dt, contiguous, reduce_op_name(op));
      }
    }
  }
}

TEST(ProcessGroupMPI, BroadcastFromEveryRoot) {
  auto& pg = group();
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      for (int root = 0; root < pg->getSize(); ++root) {
        Tensor t = make_input(pg->getRank(), dt, contiguous);
        std::vector<Tensor> v{t};
        pg->broadcast(v, {root})->wait();
        EXPECT_EQ(values_of(t), values_of(make_input(root, dt, contiguous)))
            << label(dt, contiguous) << " root " << root;
      }
    }
  }
}

TEST(ProcessGroupMPI, Allgather) {
  auto& pg = group();
  const int n = pg->getSize();
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      std::vector<Tensor> in{make_input(pg->getRank(), dt, contiguous)};
      std::vector<std::vector<Tensor>> out(1);
      for (int r = 0; r < n; ++r) out[0].push_back(make_output(dt, contiguous));
      auto work = pg->allgather(out, in);
      work->wait();
      ASSERT_EQ(work->result().size(), static_cast<size_t>(n));
      for (int r = 0; r < n; ++r) {
        EXPECT_EQ(values_of(out[0][static_cast<size_t>(r)]),
                  values_of(make_input(r, dt, contiguous)))
            << label(dt, contiguous) << " from rank " << r;
      }
    }
  }
}

TEST(ProcessGroupMPI, ReduceScatterEveryOpAndDtype) {
  auto& pg = group();
  const int n = pg->getSize();
  const int me = pg->getRank();
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      for (auto op : kOps) {
        if (dt == kBool && op == ReduceOp::AVG) continue;
        // Rank q's j-th input is make_input(q, salt j); rank r receives the reduction over q of
        // the r-th inputs.
        std::vector<std::vector<Tensor>> in(1);
        for (int j = 0; j < n; ++j) in[0].push_back(make_input(me, dt, contiguous, j));
        std::vector<Tensor> out{make_output(dt, contiguous)};
        pg->reduce_scatter(out, in, {op})->wait();
        std::vector<Tensor> mine;
        for (int q = 0; q < n; ++q) mine.push_back(make_input(q, dt, contiguous, me));
        EXPECT_EQ(values_of(out[0]), reference(mine, op, dt))
            << label(dt, contiguous, reduce_op_name(op));
      }
    }
  }
}

TEST(ProcessGroupMPI, GatherToLastRank) {
  auto& pg = group();
  const int n = pg->getSize();
  const int root = n - 1;
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      std::vector<Tensor> in{make_input(pg->getRank(), dt, contiguous)};
      std::vector<std::vector<Tensor>> out;
      if (pg->getRank() == root) {
        out.resize(1);
        for (int r = 0; r < n; ++r) out[0].push_back(make_output(dt, contiguous));
      }
      pg->gather(out, in, {root})->wait();
      if (pg->getRank() == root) {
        for (int r = 0; r < n; ++r) {
          EXPECT_EQ(values_of(out[0][static_cast<size_t>(r)]),
                    values_of(make_input(r, dt, contiguous)))
              << label(dt, contiguous) << " from rank " << r;
        }
      }
    }
  }
}

TEST(ProcessGroupMPI, ScatterFromRankZero) {
  auto& pg = group();
  const int n = pg->getSize();
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      std::vector<std::vector<Tensor>> in;
      if (pg->getRank() == 0) {
        in.resize(1);
        for (int j = 0; j < n; ++j) in[0].push_back(make_input(0, dt, contiguous, j + 1));
      }
      std::vector<Tensor> out{make_output(dt, contiguous)};
      pg->scatter(out, in, {0})->wait();
      EXPECT_EQ(values_of(out[0]), values_of(make_input(0, dt, contiguous, pg->getRank() + 1)))
          << label(dt, contiguous);
    }
  }
}

TEST(ProcessGroupMPI, BarrierWaitsForTheSlowestRank) {
  auto& pg = group();
  pg->barrier()->wait();
  auto start = std::chrono::steady_clock::now();
  if (pg->getRank() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  pg->barrier()->wait();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
}

TEST(ProcessGroupMPI, SendRecvAroundARing) {
  auto& pg = group();
  const int n = pg->getSize();
  const int me = pg->getRank();
  const int next = (me + 1) % n;
  const int prev = (me + n - 1) % n;
  int tag = 0;
  for (ScalarType dt : kDtypes) {
    for (bool contiguous : {true, false}) {
      // The recv is posted first on every rank: the send must not queue behind it.
      std::vector<Tensor> got{make_output(dt, contiguous)};
      auto r = pg->recv(got, prev, tag);
      std::vector<Tensor> mine{make_input(me, dt, contiguous)};
      auto s = pg->send(mine, next, tag);
      s->wait();
      r->wait();
      EXPECT_EQ(values_of(got[0]), values_of(make_input(prev, dt, contiguous)))
          << label(dt, contiguous);
      ++tag;
    }
  }
}

TEST(ProcessGroupMPI, WorkIsAsynchronous) {
  auto& pg = group();
  const int n = pg->getSize();
  std::vector<Tensor> ts;
  std::vector<std::shared_ptr<Work>> works;
  std::atomic<int> callbacks{0};
  for (int k = 0; k < 8; ++k) {
    ts.push_back(tg::full({1000}, static_cast<double>(k + pg->getRank()), tg::dtype(kDouble)));
    std::vector<Tensor> v{ts.back()};
    works.push_back(pg->allreduce(v));
    works.back()->add_callback([&callbacks] { ++callbacks; });
  }
  for (auto& w : works) w->wait();
  EXPECT_EQ(callbacks.load(), 8);
  for (int k = 0; k < 8; ++k) {
    EXPECT_TRUE(works[static_cast<size_t>(k)]->isCompleted());
    double expected = k * n + n * (n - 1) / 2.0;
    EXPECT_EQ(ts[static_cast<size_t>(k)][0].item<double>(), expected);
  }
  // A callback added after completion runs at once.
  bool ran = false;
  works[0]->add_callback([&ran] { ran = true; });
  EXPECT_TRUE(ran);
}

std::string error_of(const std::shared_ptr<Work>& w) {
  try {
    w->wait();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ProcessGroupMPI, MismatchedShapesFailOnEveryRankBeforeDataMoves) {
  auto& pg = group();
  const int me = pg->getRank();
  // The last rank's tensor has one more column.
  const bool odd_one = me == pg->getSize() - 1;
  Tensor t = tg::full({2, odd_one ? 4 : 3}, 1.0f);
  std::vector<Tensor> v{t};
  std::string msg = error_of(pg->allreduce(v));
  EXPECT_NE(msg.find("allreduce: the ranks disagree on the numel (from 6 to 8)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("torch.float32 [2, " + std::to_string(odd_one ? 4 : 3) + "]"),
            std::string::npos)
      << msg;
  // Nothing was reduced.
  EXPECT_TRUE(tg::equal(t, tg::full({2, odd_one ? 4 : 3}, 1.0f)));

  // Same numel, different shape.
  Tensor u = odd_one ? tg::zeros({3, 2}) : tg::zeros({2, 3});
  std::vector<Tensor> vu{u};
  msg = error_of(pg->broadcast(vu));
  EXPECT_NE(msg.find("broadcast: the ranks disagree on the size"), std::string::npos) << msg;

  // Different dtypes.
  Tensor d = odd_one ? tg::zeros({4}, tg::dtype(kDouble)) : tg::zeros({4});
  std::vector<Tensor> vd{d};
  msg = error_of(pg->allreduce(vd));
  EXPECT_NE(msg.find("disagree on the dtype"), std::string::npos) << msg;

  // Different roots.
  Tensor b = tg::zeros({4});
  std::vector<Tensor> vb{b};
  msg = error_of(pg->broadcast(vb, {odd_one ? 1 : 0}));
  EXPECT_NE(msg.find("disagree on the root rank"), std::string::npos) << msg;

  // Different operations: a barrier against an allreduce.
  if (odd_one) {
    msg = error_of(pg->barrier());
  } else {
    std::vector<Tensor> vx{tg::zeros({1})};
    msg = error_of(pg->allreduce(vx));
  }
  EXPECT_NE(msg.find("disagree on the operation"), std::string::npos) << msg;

  // The group still works.
  Tensor ok = tg::ones({5});
  std::vector<Tensor> vok{ok};
  pg->allreduce(vok)->wait();
  EXPECT_EQ(ok[4].item<float>(), static_cast<float>(pg->getSize()));
  EXPECT_FALSE(pg->is_broken());
}

TEST(ProcessGroupMPI, RecvOfAnotherShapeFailsAndLeavesTheTensor) {
  auto& pg = group();
  const int me = pg->getRank();
  if (me == 0) {
    std::vector<Tensor> v{tg::ones({4})};
    pg->send(v, 1, 77)->wait();
  } else if (me == 1) {
    Tensor t = tg::zeros({5});
    std::vector<Tensor> v{t};
    std::string msg = error_of(pg->recv(v, 0, 77));
    EXPECT_NE(
        msg.find("recv: rank 0 sent torch.float32 [4] but this rank expects torch.float32 [5]"),
        std::string::npos)
        << msg;
    EXPECT_TRUE(tg::equal(t, tg::zeros({5})));
  }
  pg->barrier()->wait();
}

TEST(ProcessGroupMPI, LocalArgumentErrorsAreImmediate) {
  auto& pg = group();
  std::vector<Tensor> two{tg::zeros({1}), tg::zeros({1})};
  EXPECT_THROW(pg->allreduce(two), Error);
  std::vector<Tensor> one{tg::zeros({1})};
  EXPECT_THROW(pg->broadcast(one, {pg->getSize()}), Error);
  std::vector<std::vector<Tensor>> short_list(1);
  EXPECT_THROW(pg->allgather(short_list, one), Error);
}

TEST(ProcessGroupMPI, SubgroupOfRankZeroAndOne) {
  auto sub = ProcessGroupMPI::createProcessGroupMPI({0, 1});
  if (group()->getRank() > 1) {
    EXPECT_EQ(sub, nullptr);
    return;
  }
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->getSize(), 2);
  Tensor t = tg::full({3}, 2.0);
  std::vector<Tensor> v{t};
  sub->allreduce(v, {ReduceOp::PRODUCT})->wait();
  EXPECT_EQ(t[0].item<double>(), 4.0);
}

}  // namespace
}  // namespace tg::distributed

// The distributed tests run as one GoogleTest program per rank under mpirun. Every rank runs every
// test in the same order (the collectives need all ranks); the exit status is the same on all
// ranks: failing if a test failed on any rank.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>

#include "mpi_env.h"

namespace tg::distributed::mpitest {

std::shared_ptr<ProcessGroupMPI>& group() {
  static std::shared_ptr<ProcessGroupMPI> pg;
  return pg;
}

}  // namespace tg::distributed::mpitest

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // The ranks already share the cores.
  tg::set_num_threads(1);
  using namespace tg::distributed;
  ProcessGroupOptions options;
  // Long enough for a loaded machine running the sanitizers; short enough that a diverged test
  // fails instead of stalling the suite.
  options.timeout = std::chrono::seconds(120);
  auto& pg = mpitest::group();
  pg = ProcessGroupMPI::createProcessGroupMPI({}, options);
  if (pg->getRank() != 0) {
    // One report is enough when all ranks pass; the other ranks still print their failures.
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new mpitest::FailurePrinter(pg->getRank()));
  }
  int failed = RUN_ALL_TESTS();
  tg::Tensor flag =
      tg::full({1}, static_cast<int64_t>(failed != 0), tg::TensorOptions().dtype(tg::kLong));
  std::vector<tg::Tensor> v{flag};
  pg->allreduce(v, {ReduceOp::MAX})->wait();
  int any_failed = static_cast<int>(flag.item<int64_t>());
  if (any_failed && !failed) std::cerr << "rank " << pg->getRank() << ": another rank failed\n";
  pg.reset();
  return any_failed;
}

// Failure behaviour under mpirun -np 2. "raise": rank 1 throws before an allreduce and leaves
// without it; rank 0 must get a tg::Error from the group's timeout instead of hanging. "die": rank
// 1 exits abruptly in the middle of a training loop of allreduces; the job must end.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "tensorgrad/distributed/process_group.h"
#include "tensorgrad/tensorgrad.h"

using namespace tg::distributed;

int main(int argc, char** argv) {
  const bool die = argc > 1 && std::strcmp(argv[1], "die") == 0;
  ProcessGroupOptions options;
  options.timeout = std::chrono::seconds(3);
  auto pg = ProcessGroupMPI::createProcessGroupMPI({}, options);
  const int rank = pg->getRank();
  tg::Tensor t = tg::ones({1000});
  std::vector<tg::Tensor> v{t};
  pg->allreduce(v)->wait();  // Both ranks are up.
  if (die) {
    for (int step = 0; step < 1000; ++step) {
      if (rank == 1 && step == 10) std::_Exit(3);
      pg->allreduce(v)->wait();
    }
    return 0;
  }
  auto start = std::chrono::steady_clock::now();
  try {
    if (rank == 1) throw tg::Error("rank 1 fails before the collective");
    pg->allreduce(v)->wait();
    std::cout << "rank " << rank << ": the allreduce completed without rank 1" << std::endl;
    return 1;
  } catch (const tg::Error& e) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "rank " << rank << ": tg::Error after " << s << " s: " << e.what() << std::endl;
    // Later operations fail at once.
    if (rank == 0) {
      bool refused = false;
      try {
        pg->allreduce(v)->wait();
      } catch (const tg::Error&) {
        refused = true;
      }
      std::cout << "rank 0: broken group refuses later operations: " << refused << std::endl;
    }
  }
  return 0;
}

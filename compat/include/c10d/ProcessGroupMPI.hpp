// <c10d/ProcessGroupMPI.hpp>: c10d::ProcessGroupMPI is tensorgrad's MPI process group, so that
// `c10d::ProcessGroupMPI::createProcessGroupMPI()` and its collectives build unchanged. The
// program links tensorgrad::distributed as well as tensorgrad::torch.
#pragma once

#include <tensorgrad/distributed/process_group.h>

#include <c10d/ProcessGroup.hpp>

namespace c10d {

using ProcessGroupMPI = ::tg::distributed::ProcessGroupMPI;

}  // namespace c10d

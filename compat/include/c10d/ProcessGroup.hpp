// <c10d/ProcessGroup.hpp>: c10d's process-group vocabulary over tensorgrad::distributed (the
// program links tensorgrad::distributed as well as tensorgrad::torch).
#pragma once

#include <tensorgrad/distributed/process_group.h>
#include <torch/types.h>

namespace c10d {

using ::tg::distributed::AllgatherOptions;
using ::tg::distributed::AllreduceOptions;
using ::tg::distributed::BarrierOptions;
using ::tg::distributed::BroadcastOptions;
using ::tg::distributed::GatherOptions;
using ::tg::distributed::ReduceOp;
using ::tg::distributed::ReduceScatterOptions;
using ::tg::distributed::ScatterOptions;

// libtorch names the work handle ProcessGroup::Work; only its nested name is needed here.
class ProcessGroup {
 public:
  using Work = ::tg::distributed::Work;
};

}  // namespace c10d

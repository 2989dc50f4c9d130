// The process group shared by the distributed tests (all of MPI_COMM_WORLD), and helpers.
#pragma once

#include <gtest/gtest.h>

#include <iostream>
#include <memory>

#include "tensorgrad/distributed/process_group.h"
#include "tensorgrad/tensorgrad.h"

namespace tg::distributed::mpitest {

std::shared_ptr<ProcessGroupMPI>& group();

// Prints failed assertions, prefixed with the rank, for the ranks other than 0.
class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& r) override {
    if (r.failed()) {
      std::cerr << "[rank " << rank_ << "] " << (r.file_name() ? r.file_name() : "") << ":"
                << r.line_number() << ": " << r.summary() << "\n";
    }
  }

 private:
  int rank_;
};

}  // namespace tg::distributed::mpitest

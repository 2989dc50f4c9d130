// Peak resident memory of a whole process that trains the tutorial's WideNet for 1847 epochs, one
// thread. Run once per library; prints "peak_rss_kib <n>" (getrusage's ru_maxrss, in KiB on
// Linux), then the final loss, which should agree between the two libraries.
#include <sys/resource.h>

#include <cstdio>

#include "widenet.h"

int main() {
  bk::set_num_threads(1);
  widenet::Trainer trainer;
  double loss = 0;
  for (int epoch = 0; epoch < 1847; ++epoch) loss = trainer.epoch().item<double>();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak_rss_kib %ld\nfinal_loss %.6f\n", usage.ru_maxrss, loss);
  return 0;
}

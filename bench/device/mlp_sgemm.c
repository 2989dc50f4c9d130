// The eight single-precision products of one step of bench/mlp.cpp (batch 256, 784-1024-1024-10,
// forward and backward), timed through CBLAS alone: best of 15 passes. Linked against OpenBLAS or
// BLIS, it compares kernels without either library's framework around them.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  // m, n, k, A transposed, B transposed
  const int shapes[8][5] = {{256, 1024, 784, 0, 1},  {256, 1024, 1024, 0, 1},
                            {256, 10, 1024, 0, 1},   {256, 1024, 10, 0, 0},
                            {10, 1024, 256, 1, 0},   {256, 1024, 1024, 0, 0},
                            {1024, 1024, 256, 1, 0}, {1024, 784, 256, 1, 0}};
  float* a = malloc(sizeof(float) << 22);
  float* b = malloc(sizeof(float) << 22);
  float* c = malloc(sizeof(float) << 22);
  for (int i = 0; i < 1 << 22; i++) {
    a[i] = (float)(i % 7) * 0.1f;
    b[i] = (float)(i % 5) * 0.2f;
  }
  double best = 1e9;
  for (int rep = 0; rep < 15; rep++) {
    const double t0 = now();
    for (int s = 0; s < 8; s++) {
      const int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
      const int ta = shapes[s][3], tb = shapes[s][4];
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m,
                  n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
    }
    const double t = now() - t0;
    if (t < best) best = t;
  }
  printf("8 MLP products: best %.2f ms\n", best * 1e3);
  free(a);
  free(b);
  free(c);
  return 0;
}

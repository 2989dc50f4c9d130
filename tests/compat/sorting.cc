// Sorting, selection and products written as a libtorch user writes them: nearest neighbours
// with cdist and topk, robust statistics with median and kthvalue, label bookkeeping with
// _unique2 and mode, attention scores with einsum, and gradients through the selections. Built
// unchanged against libtorch and against tensorgrad::torch; seeded, so both print the same.
#include <torch/torch.h>

#include <cmath>
#include <iostream>
#include <tuple>

int main() {
  torch::manual_seed(7);

  // ---- nearest neighbours: the 3 closest reference points of each query
  auto queries = torch::randn({4, 2});
  auto refs = torch::randn({6, 2});
  auto d = torch::cdist(queries, refs);
  torch::Tensor knn_dist, knn_idx;
  std::tie(knn_dist, knn_idx) = d.topk(3, /*dim=*/1, /*largest=*/false);
  std::cout << "distances:\n" << d << std::endl;
  std::cout << "nearest:\n" << knn_idx << std::endl;
  std::cout << knn_dist << std::endl;

  // ---- sorting and ranking
  auto scores = torch::tensor({0.3, 2.5, -1.0, 2.5, 0.0, 7.0});
  auto sorted = torch::sort(scores, /*dim=*/0, /*descending=*/true);
  std::cout << std::get<0>(sorted) << std::endl << std::get<1>(sorted) << std::endl;
  auto stable = scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false);
  std::cout << std::get<1>(stable) << std::endl;
  std::cout << scores.argsort() << std::endl;
  std::cout << torch::msort(torch::tensor({{3, 1}, {2, 5}, {1, 4}}, torch::kLong)) << std::endl;

  // ---- robust statistics
  auto samples = torch::randn({3, 7});
  std::cout << "median: " << samples.median() << std::endl;
  auto med = samples.median(/*dim=*/1);
  std::cout << std::get<0>(med) << std::endl << std::get<1>(med) << std::endl;
  auto kth = torch::kthvalue(samples, 2, /*dim=*/1, /*keepdim=*/true);
  std::cout << std::get<0>(kth) << std::endl << std::get<1>(kth) << std::endl;
  auto with_nan = torch::tensor({1.0, std::nan(""), 3.0, 2.0});
  std::cout << with_nan.median() << " " << with_nan.nanmedian() << std::endl;

  // ---- labels: distinct values, how often, and the most frequent
  auto labels = torch::tensor({3, 1, 3, 2, 3, 1}, torch::kLong);
  torch::Tensor values, inverse, counts;
  std::tie(values, inverse, counts) = torch::_unique2(labels, true, true, true);
  std::cout << values << std::endl << inverse << std::endl << counts << std::endl;
  auto mode = torch::mode(labels);
  std::cout << "mode " << std::get<0>(mode).item<int64_t>() << " at "
            << std::get<1>(mode).item<int64_t>() << std::endl;
  auto runs =
      torch::unique_consecutive(torch::tensor({1, 1, 2, 2, 2, 1}, torch::kLong), true, true);
  std::cout << std::get<0>(runs) << std::endl << std::get<2>(runs) << std::endl;

  // ---- products
  auto q = torch::randn({2, 3, 4});
  auto k = torch::randn({2, 5, 4});
  auto attn = torch::einsum("bqd,bkd->bqk", {q, k}).softmax(-1);
  std::cout << "attention:\n" << attn << std::endl;
  auto m = torch::randn({3, 3});
  std::cout << torch::einsum("ii", {m}) << " " << m.trace() << std::endl;
  std::cout << torch::tensordot(q, k, {0, 2}, {0, 2}) << std::endl;
  std::cout << torch::kron(torch::eye(2), torch::ones({2, 2})) << std::endl;
  std::cout << m.diagonal(1) << std::endl << torch::diag_embed(torch::ones({2})) << std::endl;
  auto bias = torch::randn({3});
  std::cout << torch::addmv(bias, m, bias, 0.5, 2) << std::endl;
  std::cout << torch::addr(m, bias, bias) << std::endl;
  std::cout << torch::baddbmm(torch::zeros({2, 3, 5}), q, k.transpose(1, 2), 1, 0.5) << std::endl;
  std::cout << torch::addbmm(torch::zeros({3, 5}), q, k.transpose(1, 2)) << std::endl;
  std::cout << torch::dist(queries, refs.slice(0, 0, 4), 3) << std::endl;
  std::cout << torch::cross(torch::tensor({1.0, 0.0, 0.0}), torch::tensor({0.0, 1.0, 0.0}), 0)
            << std::endl;
  std::cout << torch::linalg_cross(m, m.flip({0})) << std::endl;

  // ---- gradients through the selections
  auto w = torch::randn({2, 6}, torch::requires_grad());
  auto top = std::get<0>(w.topk(2));
  auto loss = top.sum() + std::get<0>(w.sort(1)).select(1, 0).sum() + w.median() +
              std::get<0>(w.kthvalue(3)).sum() + torch::cdist(w, w.flip({1}), 1).sum();
  loss.backward();
  std::cout << top.grad_fn()->name() << " " << loss.grad_fn()->name() << std::endl;
  std::cout << "grad:\n" << w.grad() << std::endl;
  return 0;
}

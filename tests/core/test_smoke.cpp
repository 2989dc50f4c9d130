#include <gtest/gtest.h>

#include <tensorgrad/tensorgrad.h>

TEST(Smoke, AddBackward) {
  auto a = tg::tensor({1.0}, tg::requires_grad());
  auto b = tg::tensor({-1.0}, tg::requires_grad());
  auto c = a + b;
  EXPECT_EQ(c.grad_fn()->name(), "AddBackward0");
  c.backward();
  EXPECT_EQ(a.grad().item<float>(), 1.0f);
}

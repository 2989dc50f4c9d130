#!/usr/bin/python3
"""Reference values for tests/nn/test_pooling.cpp and tests/nn/test_normalization.cpp.

Run with Debian's interpreter (python3-torch 1.13): /usr/bin/python3 scripts/make_pool_norm_fixtures.py
Writes tests/fixtures/nn/pooling.json and tests/fixtures/nn/normalization.json: for each case the
input (in row-major order), its layout, the options, the output (and indices), the grad_fn name and
the gradients for a given upstream gradient; for the batch norm modules the running statistics
after a few training steps and the output in evaluation mode.
"""
import json
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "nn")
g = torch.Generator().manual_seed(1313)


def randn(shape, dtype):
    # Values representable in float32 even for float64 cases, which keeps the file small.
    return torch.randn(*shape, generator=g, dtype=torch.float32).to(dtype)


def flat(t):
    # 9 significant digits give float32 values back exactly; float64 results keep 13, well
    # within the tests' tolerance.
    digits = 9 if t.dtype == torch.float32 else 13
    return [float("%.*g" % (digits, v)) for v in t.detach().contiguous().reshape(-1).double().tolist()]


def laid_out(x, layout):
    """The same values with other strides, as the C++ test builds them."""
    if layout == "channels_last":
        perm = [0] + list(range(2, x.dim())) + [1]
        inv = [0, x.dim() - 1] + list(range(1, x.dim() - 1))
        return x.permute(*perm).contiguous().permute(*inv)
    if layout == "strided":
        return torch.stack([x, x], -1).select(-1, 0)
    return x


def dtype_name(dt):
    return "float32" if dt == torch.float32 else "float64"


# ---------------------------------------------------------------------------------------------
# Pooling
pool_cases = []


def pool(op, shape, dtype=torch.float32, layout="contiguous", **kw):
    x0 = randn(shape, dtype)
    if op.startswith("lp_pool"):
        x0 = x0.abs() + 0.25  # an odd power of a negative window sum has no real root
    x = laid_out(x0.clone(), layout).requires_grad_()
    fn = getattr(F, op)
    args = dict(kw)
    if op.startswith("max_pool") or op.startswith("adaptive_max_pool"):
        args["return_indices"] = True
        out, idx = fn(x, **args)
    else:
        out, idx = fn(x, **args), None
    up = randn(out.shape, dtype)
    out.backward(up)
    c = dict(op=op, shape=list(shape), dtype=dtype_name(dtype), layout=layout, options=kw,
             input=flat(x0), out_shape=list(out.shape), output=flat(out), upstream=flat(up),
             grad_input=flat(x.grad), grad_fn=type(out.grad_fn).__name__)
    if idx is not None:
        c["indices"] = idx.reshape(-1).tolist()
    pool_cases.append(c)


for dt in (torch.float32, torch.float64):
    pool("max_pool2d", (2, 2, 6, 6), dt, kernel_size=2)
    pool("max_pool2d", (2, 2, 9, 7), dt, kernel_size=3, stride=2)
    pool("max_pool2d", (1, 2, 9, 10), dt, kernel_size=[3, 2], stride=[2, 1], padding=[1, 1],
         dilation=[1, 2], ceil_mode=True)
    pool("avg_pool2d", (2, 2, 6, 7), dt, kernel_size=2)
    pool("avg_pool2d", (2, 2, 9, 9), dt, kernel_size=3, stride=2, padding=1, ceil_mode=True)
    pool("avg_pool2d", (1, 2, 7, 9), dt, kernel_size=3, stride=2, padding=1, count_include_pad=False)
    pool("avg_pool2d", (1, 2, 6, 6), dt, kernel_size=[3, 2], stride=[1, 2], padding=[1, 0],
         divisor_override=5)
    pool("adaptive_avg_pool2d", (2, 2, 9, 7), dt, output_size=[4, 3])
    pool("adaptive_max_pool2d", (2, 2, 9, 7), dt, output_size=[4, 3])
pool("max_pool2d", (2, 3, 6, 6), layout="channels_last", kernel_size=3, stride=2, padding=1)
pool("max_pool2d", (2, 3, 7, 8), layout="strided", kernel_size=2, ceil_mode=True)
pool("max_pool2d", (3, 7, 8), kernel_size=2)  # unbatched
pool("avg_pool2d", (2, 3, 6, 6), layout="channels_last", kernel_size=3, stride=2, padding=1)
pool("avg_pool2d", (3, 7, 9), layout="strided", kernel_size=2)
pool("adaptive_avg_pool2d", (2, 3, 6, 6), layout="channels_last", output_size=[3, 2])
# A single output is a mean (MeanBackward1). (For a channels-last input ATen then restrides the
# result in place, which makes its grad_fn AsStridedBackward1; tensorgrad keeps MeanBackward1.)
pool("adaptive_avg_pool2d", (2, 3, 6, 5), layout="strided", output_size=1)
pool("adaptive_avg_pool2d", (3, 10, 6), output_size=[5, 4])
pool("adaptive_avg_pool2d", (2, 3, 5, 7), output_size=[7, 9])  # larger than the input
pool("adaptive_max_pool2d", (3, 10, 6), layout="strided", output_size=[3, 4])
pool("max_pool1d", (2, 3, 11), kernel_size=3, stride=2, padding=1)
pool("max_pool1d", (3, 10), kernel_size=2, dilation=2, ceil_mode=True)
pool("avg_pool1d", (2, 3, 11), kernel_size=3, stride=2, padding=1, count_include_pad=False)
pool("adaptive_avg_pool1d", (2, 3, 11), output_size=4)
pool("adaptive_max_pool1d", (2, 3, 11), output_size=4)
pool("max_pool3d", (1, 2, 5, 6, 7), kernel_size=2, stride=[1, 2, 2], padding=[1, 0, 1])
pool("max_pool3d", (2, 4, 5, 6), kernel_size=3, stride=2, ceil_mode=True)
pool("avg_pool3d", (1, 2, 5, 6, 7), kernel_size=3, stride=2, padding=1)
pool("avg_pool3d", (1, 2, 5, 6, 7), kernel_size=2, count_include_pad=False, ceil_mode=True,
     divisor_override=3)
pool("adaptive_avg_pool3d", (1, 2, 5, 6, 7), output_size=[2, 3, 4])
pool("lp_pool2d", (2, 3, 8, 8), norm_type=2.0, kernel_size=2)
pool("lp_pool2d", (1, 2, 9, 9), norm_type=3.0, kernel_size=3, stride=2, ceil_mode=True)
pool("lp_pool1d", (2, 3, 10), norm_type=2.0, kernel_size=3, stride=2)


def unpool(shape, k, s, p, output_size=None):
    x = randn(shape, torch.float64)
    nd = len(shape) - 2
    mp = F.max_pool2d if nd == 2 else F.max_pool1d
    un = F.max_unpool2d if nd == 2 else F.max_unpool1d
    pooled, idx = mp(x, k, s, p, return_indices=True)
    pooled = pooled.detach().requires_grad_()
    out = un(pooled, idx, k, s, p, output_size=output_size)
    up = randn(out.shape, torch.float64)
    out.backward(up)
    pool_cases.append(dict(op="max_unpool%dd" % nd, shape=list(pooled.shape), dtype="float64",
                           layout="contiguous",
                           options=dict(kernel_size=k, stride=s, padding=p,
                                        output_size=output_size),
                           input=flat(pooled), indices=idx.reshape(-1).tolist(),
                           out_shape=list(out.shape), output=flat(out), upstream=flat(up),
                           grad_input=flat(pooled.grad), grad_fn=type(out.grad_fn).__name__))


unpool((2, 3, 8, 8), 2, 2, 0)
unpool((1, 2, 9, 9), 3, 2, 1, output_size=[10, 9])
unpool((2, 3, 11), 3, 2, 1)

# ---------------------------------------------------------------------------------------------
# Normalization
norm_cases = []


def norm(kind, shape, dtype=torch.float32, layout="contiguous", **kw):
    x0 = randn(shape, dtype)
    x = laid_out(x0.clone(), layout).requires_grad_()
    c_dim = shape[1] if len(shape) > 1 else shape[0]
    params = {}
    if kind in ("batch_norm", "instance_norm", "group_norm"):
        n_ch = shape[1]
    if kw.pop("affine", False):
        if kind == "layer_norm":
            wshape = kw["normalized_shape"]
        else:
            wshape = [n_ch]
        params["weight"] = (randn(wshape, dtype) * 0.5 + 1).requires_grad_()
        params["bias"] = randn(wshape, dtype).requires_grad_()
    stats = {}
    if kw.pop("running", False):
        stats["running_mean"] = randn([n_ch], dtype)
        stats["running_var"] = randn([n_ch], dtype).abs() + 0.5
    init_stats = {k: flat(v) for k, v in stats.items()}
    if kind == "batch_norm":
        out = F.batch_norm(x, stats.get("running_mean"), stats.get("running_var"),
                           params.get("weight"), params.get("bias"), **kw)
    elif kind == "instance_norm":
        out = F.instance_norm(x, stats.get("running_mean"), stats.get("running_var"),
                              params.get("weight"), params.get("bias"), **kw)
    elif kind == "layer_norm":
        out = F.layer_norm(x, kw.pop("normalized_shape"), params.get("weight"),
                           params.get("bias"), **kw)
        kw = dict(kw, normalized_shape=list(params["weight"].shape) if params else None)
    elif kind == "group_norm":
        out = F.group_norm(x, kw["num_groups"], params.get("weight"), params.get("bias"),
                           eps=kw.get("eps", 1e-5))
    elif kind == "local_response_norm":
        out = F.local_response_norm(x, **kw)
    up = randn(out.shape, dtype)
    out.backward(up)
    c = dict(kind=kind, shape=list(shape), dtype=dtype_name(dtype), layout=layout, options=kw,
             input=flat(x0), output=flat(out), upstream=flat(up), grad_input=flat(x.grad),
             grad_fn=type(out.grad_fn).__name__)
    for k, v in params.items():
        c[k] = flat(v)
        c["grad_" + k] = flat(v.grad)
    for k, v in stats.items():
        c[k] = init_stats[k]
        c[k + "_after"] = flat(v)
    norm_cases.append(c)


for dt in (torch.float32, torch.float64):
    norm("batch_norm", (4, 3, 5, 6), dt, affine=True, running=True, training=True, momentum=0.2)
    norm("batch_norm", (4, 3, 5, 6), dt, affine=True, running=True, training=False)
    norm("layer_norm", (3, 4, 5), dt, affine=True, normalized_shape=[4, 5])
    norm("group_norm", (2, 6, 4, 3), dt, affine=True, num_groups=3)
norm("batch_norm", (5, 4), training=True)  # no weight, no running statistics
norm("batch_norm", (3, 4, 7), layout="strided", affine=True, running=True, training=True)
norm("batch_norm", (2, 3, 4, 5), layout="channels_last", affine=True, training=True, eps=1e-3)
norm("batch_norm", (2, 3, 2, 3, 4), affine=True, running=True, training=True, momentum=0.5)
norm("layer_norm", (2, 3, 8), layout="strided", normalized_shape=[8], eps=1e-3)
norm("layer_norm", (2, 3, 4, 5), layout="channels_last", affine=True, normalized_shape=[5])
norm("group_norm", (2, 4, 5), num_groups=2)
norm("group_norm", (3, 6, 2, 2, 2), affine=True, num_groups=6)
norm("group_norm", (2, 4, 3, 3), layout="channels_last", affine=True, num_groups=1)
norm("instance_norm", (2, 3, 4, 5), affine=True, running=True, use_input_stats=True, momentum=0.3)
norm("instance_norm", (2, 3, 9), layout="strided")
norm("instance_norm", (2, 3, 4, 5), running=True, use_input_stats=False)
norm("local_response_norm", (2, 5, 4), size=3)
norm("local_response_norm", (2, 6, 3, 4), size=2, alpha=1e-2, beta=0.5, k=2.0)
norm("local_response_norm", (1, 4, 2, 3, 3), torch.float64, size=3)

# Batch norm modules: running statistics after several training steps, then evaluation.
modules = []
for momentum, shape in ((0.1, (4, 3, 5, 5)), (None, (4, 3, 5, 5)), (0.3, (6, 4))):
    bn = torch.nn.BatchNorm2d(3, momentum=momentum) if len(shape) == 4 else \
        torch.nn.BatchNorm1d(4, momentum=momentum)
    with torch.no_grad():
        bn.weight.copy_(torch.linspace(0.5, 1.5, bn.num_features))
        bn.bias.copy_(torch.linspace(-0.2, 0.2, bn.num_features))
    steps = [randn(shape, torch.float32) * (k + 1) + k for k in range(3)]
    train_out = None
    for x in steps:
        train_out = bn(x)
    bn.eval()
    x_eval = randn(shape, torch.float32)
    modules.append(dict(momentum=momentum, shape=list(shape), steps=[flat(x) for x in steps],
                        last_train_output=flat(train_out), running_mean=flat(bn.running_mean),
                        running_var=flat(bn.running_var),
                        num_batches_tracked=int(bn.num_batches_tracked), eval_input=flat(x_eval),
                        eval_output=flat(bn(x_eval))))

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "pooling.json"), "w") as f:
    json.dump(dict(cases=pool_cases), f, separators=(",", ":"))
with open(os.path.join(OUT, "normalization.json"), "w") as f:
    json.dump(dict(cases=norm_cases, modules=modules), f, separators=(",", ":"))
print(len(pool_cases), "pooling cases,", len(norm_cases), "normalization cases,", len(modules),
      "module runs")

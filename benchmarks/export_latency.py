"""onnxruntime latency on this CPU: the exported QDQ models of the option-A ResNet-20 against the FP32 ONNX model of the same
network, at batch 1 and batch 64, median of repeated runs.

    python benchmarks/export_latency.py [--ckpt <resnet20-12fca82f.th>] [--threads 1] [--reps 200 20]

The FP32 model is exported by `torch.onnx.export` (onnxruntime folds its BatchNorm into the convolutions); the QDQ models by
`saft_nb.export.export_onnx`: W4A4 (int4 weights, uint4 activations) and W8A8, each run as written (`onnx_session`'s default:
weights dequantized once, float kernels between the activation quantizers) and with onnxruntime's QDQ optimizer
(`qdq_kernels=True`), and W8A8 with `fuse_bias=True` under the QDQ optimizer (its layers fused into QLinearConv, not exactly
the fake-quant model). Weights do not change the timings; without --ckpt the network has random weights.
"""
import argparse, platform, statistics, tempfile, time, warnings
from pathlib import Path
import numpy as np
import torch
import onnxruntime
from saft_nb.models import CifarResNet, load_teacher
from saft_nb.graph import quantize_model
from saft_nb.train import calibrate_student
from saft_nb.export import export_onnx, onnx_session

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--ckpt', default=None)
ap.add_argument('--threads', type=int, nargs='+', default=[1], help='onnxruntime intra-op threads (one table per value)')
ap.add_argument('--reps', type=int, nargs=2, default=[200, 20], help='timed runs at batch 1 and batch 64 (after 10 / 3 warm-up runs)')
a = ap.parse_args()

def cpu_name()->str:
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

torch.set_num_threads(1)
tmp = Path(tempfile.mkdtemp())
fp = load_teacher(CifarResNet(20), weights=a.ckpt) if a.ckpt else CifarResNet(20).eval()
with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    torch.onnx.export(fp, (torch.zeros(1, 3, 32, 32),), str(tmp/'fp32.onnx'), dynamo=False, opset_version=17, input_names=['input'],
                      output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
models = {'FP32 (torch.onnx.export)': (tmp/'fp32.onnx', False)}
for bits, kw, qdq, label in ((4, {}, False, 'W4A4 QDQ, as written'), (4, {}, True, 'W4A4 QDQ, qdq_kernels=True'),
                             (8, {}, False, 'W8A8 QDQ, as written'), (8, {}, True, 'W8A8 QDQ, qdq_kernels=True'),
                             (8, dict(fuse_bias=True), True, 'W8A8 QDQ fuse_bias=True, qdq_kernels=True (QLinearConv)')):
    path = tmp/f"w{bits}{'_fused' if kw else ''}.onnx"
    if not path.exists():
        qm = calibrate_student(quantize_model(fp, bits, bits), 'noise', input_shape=(3, 32, 32), n_batches=8, bs=64, seed=0).eval()
        export_onnx(qm, path, input_shape=(3, 32, 32), **kw)
    models[label] = (path, qdq)

def median_ms(sess, x, reps, warm):
    feed = {sess.get_inputs()[0].name: x}
    for _ in range(warm): sess.run(None, feed)
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); sess.run(None, feed); ts.append(time.perf_counter() - t)
    return 1e3 * statistics.median(ts)

rng = np.random.default_rng(0)
x1, x64 = rng.standard_normal((1, 3, 32, 32), dtype=np.float32), rng.standard_normal((64, 3, 32, 32), dtype=np.float32)
print(f"onnxruntime {onnxruntime.__version__}, CPU {cpu_name()}, "
      f"median of {a.reps[0]} runs at batch 1 and {a.reps[1]} at batch 64, ResNet-20 (CIFAR, 3x32x32)\n")
for th in a.threads:
    print(f"intra-op threads: {th}\n\n| model | ONNX bytes | batch 1 (ms) | batch 64 (ms) | batch 64 vs FP32 |\n|---|---|---|---|---|")
    base = None
    for label, (path, qdq) in models.items():
        sess = onnx_session(path, threads=th, qdq_kernels=qdq)
        b1, b64 = median_ms(sess, x1, a.reps[0], 10), median_ms(sess, x64, a.reps[1], 3)
        base = base or b64
        print(f"| {label} | {path.stat().st_size:,} | {b1:.3f} | {b64:.2f} | {b64 / base:.2f}x |", flush=True)
    print()

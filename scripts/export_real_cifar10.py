"""Deployment export of a REAL pretrained CIFAR-10 ResNet-20, checked on all 10,000 test images.

For each bit width and activation placement: the fake-quant model's top-1, onnxruntime's top-1 on the exported ONNX QDQ model
(and its agreement with the fake-quant predictions), the integer reference forward's agreement, and the packed file's bytes
against the FP32 state_dict. The quantized model is round-to-nearest, calibrated on Gaussian noise (the package default:
8 batches of 64, seed 0), as `saft_nb.train.calibrate_student` does.

    python scripts/export_real_cifar10.py --data-root <cifar10-jpeg folder> --ckpt <resnet20-12fca82f.th> \\
        [--bits 4 8] [--placements after_activation layer_input] [--out results/export_cifar10] [--threads 1]

<data-root>/test/<class>/*.jpg holds the CIFAR-10 test set re-encoded as JPEG; the checkpoint is akamaster's option-A
ResNet-20 (inputs normalized with the ImageNet mean/std). Both are paths, never copied. Writes <out>/table.md and
<out>/export_cifar10.json; the exported .onnx/.safetensors files go to a temporary folder unless --keep-files DIR.
"""
import argparse, json, platform, sys, tempfile, time
from pathlib import Path
import torch
import onnxruntime
from saft_nb.data import get_data, SPECS
from saft_nb.models import CifarResNet, load_teacher
from saft_nb.graph import quantize_model
from saft_nb.train import calibrate_student
from saft_nb.export import (export_onnx, export_plan, int_forward, onnx_session, run_onnx, save_packed, load_packed, agreement,
                            fp32_bytes)

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data-root', required=True)
ap.add_argument('--ckpt', required=True)
ap.add_argument('--bits', type=int, nargs='+', default=[4, 8], help='W<b>A<b> rows')
ap.add_argument('--placements', nargs='+', default=['after_activation', 'layer_input'])
ap.add_argument('--out', default='results/export_cifar10')
ap.add_argument('--keep-files', default=None, help='folder for the exported .onnx and .safetensors files (default: a temporary one)')
ap.add_argument('--threads', type=int, default=1, help='torch and onnxruntime CPU threads')
ap.add_argument('--bs', type=int, default=500)
ap.add_argument('--limit', type=int, default=None, help='evaluate the first N test images only (a quick try)')
a = ap.parse_args()

def cpu_name()->str:
    try: return next(l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name'))
    except (OSError, StopIteration): return platform.processor() or platform.machine()

for p in (Path(a.data_root)/'test', Path(a.ckpt)):
    if not p.exists(): sys.exit(f"missing {p}: pass --data-root <folder with test/<class>/*.jpg> and --ckpt <option-A ResNet-20 checkpoint>")
torch.set_num_threads(a.threads)
files = Path(a.keep_files) if a.keep_files else Path(tempfile.mkdtemp())
files.mkdir(parents=True, exist_ok=True)
out = Path(a.out); out.mkdir(parents=True, exist_ok=True)

t0 = time.time()
ds, _ = get_data('cifar10', a.data_root, 'test', mean=SPECS['imagenet'].mean, std=SPECS['imagenet'].std)
n = len(ds) if a.limit is None else min(a.limit, len(ds))
X = torch.stack([ds[i][0] for i in range(n)]); Y = torch.tensor([ds.targets[i] for i in range(n)])
print(f"{n} test images loaded in {time.time() - t0:.0f} s; torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, "
      f"{a.threads} thread(s), {cpu_name()}", flush=True)

fp = load_teacher(CifarResNet(20), weights=a.ckpt)
top1 = lambda logits: 100 * float((logits.argmax(1) == Y).float().mean())
with torch.no_grad(): fp_top1 = top1(torch.cat([fp(xb) for xb in X.split(a.bs)]))
fp_bytes, ckpt_bytes = fp32_bytes(fp), Path(a.ckpt).stat().st_size
print(f"FP32: top-1 {fp_top1:.2f} %, state_dict {fp_bytes:,} bytes (checkpoint file {ckpt_bytes:,} bytes)", flush=True)

rows = []
for bits in a.bits:
    for placement in a.placements:
        t = time.time()
        qm = calibrate_student(quantize_model(fp, bits, bits, act_placement=placement), 'noise', input_shape=(3, 32, 32),
                               n_batches=8, bs=64, seed=0).eval()
        with torch.no_grad(): ref = torch.cat([qm(xb) for xb in X.split(a.bs)])
        stem = files/f'resnet20_w{bits}a{bits}_{placement}'
        rep = export_onnx(qm, f'{stem}.onnx', input_shape=(3, 32, 32))
        ort = run_onnx(onnx_session(f'{stem}.onnx', threads=a.threads), X, a.bs)
        fused = export_onnx(qm, f'{stem}_fused.onnx', input_shape=(3, 32, 32), fuse_bias=True)
        ort_fused = run_onnx(onnx_session(f'{stem}_fused.onnx', threads=a.threads, qdq_kernels=True), X, a.bs)
        plan, stats = export_plan(qm, (3, 32, 32)), {}
        integer = torch.cat([int_forward(plan, xb, stats) for xb in X.split(a.bs)])
        pk = save_packed(qm, f'{stem}.safetensors')
        with torch.no_grad(): rebuilt = torch.equal(load_packed(f'{stem}.safetensors', CifarResNet(20))(X[:a.bs]), ref[:a.bs])
        r = dict(bits=f'W{bits}A{bits}', placement=placement, fake_top1=top1(ref), ort_top1=top1(ort),
                 ort_agree=agreement(ref, ort)['top1_agree'], int_top1=top1(integer), int_agree=agreement(ref, integer)['top1_agree'],
                 ort_fused_top1=top1(ort_fused), ort_fused_agree=agreement(ref, ort_fused)['top1_agree'],
                 integer_layers=f"{len(rep.integer_layers)}/{len(rep.layers)}", float_inputs=rep.float_input_layers,
                 max_acc=max(stats.values()), packed_bytes=pk.bytes, fp32_bytes=fp_bytes, packed_ratio=pk.bytes / fp_bytes,
                 onnx_bytes=rep.bytes, rebuilt_identical=rebuilt, seconds=round(time.time() - t))
        rows.append(r)
        print(json.dumps(r), flush=True)

head = ('| bits | placement | fake-quant top-1 | onnxruntime top-1 | ORT = fake-quant | int forward = fake-quant | integer layers '
        '| packed bytes | / FP32 | ORT QDQ kernels, bias fused: top-1 (agree) |')
lines = [head, '|---' * 10 + '|']
for r in rows:
    lines.append(f"| {r['bits']} | {r['placement']} | {r['fake_top1']:.2f} | {r['ort_top1']:.2f} | {r['ort_agree']:.2f} % | "
                 f"{r['int_agree']:.2f} % | {r['integer_layers']} | {r['packed_bytes']:,} | {r['packed_ratio']:.3f} | "
                 f"{r['ort_fused_top1']:.2f} ({r['ort_fused_agree']:.2f} %) |")
table = '\n'.join(lines)
note = (f"\n\nFP32: top-1 {fp_top1:.2f} % on {n} JPEG test images, state_dict {fp_bytes:,} bytes. Largest int accumulator: "
        f"{max(r['max_acc'] for r in rows):,} (int32 holds it). torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, "
        f"{a.threads} thread(s).\n")
print('\n' + table + note)
(out/'table.md').write_text(table + note)
(out/'export_cifar10.json').write_text(json.dumps(dict(n=n, fp_top1=fp_top1, fp32_bytes=fp_bytes, ckpt_bytes=ckpt_bytes, rows=rows,
                                                       torch=torch.__version__, onnxruntime=onnxruntime.__version__,
                                                       threads=a.threads), indent=1))
print(f"wrote {out/'table.md'}; exported files in {files}")

"""Round-to-nearest (no fine-tuning) top-1 of a REAL pretrained CIFAR-10 ResNet-20 for each bit width, activation placement,
range estimator and calibration source, on the real test images.

Uses the option-A ResNet-20 checkpoint (akamaster, `resnet20-12fca82f.th`, trained with ImageNet normalization) and the CIFAR-10
test set re-encoded as JPEG (`<data_root>/test/<class>/*.jpg`). Both are paths, never copied into the project.

    python scripts/rtn_real_cifar10.py --data-root <folder with test/<class>/*.jpg> --ckpt resnet20-12fca82f.th \
        [--bits 8 4 3] [--placements after_activation layer_input] [--estimators ema mse] [--weight-clip none mse] [--n-test 2000]

Calibration: `--calib-batches` batches of `--calib-bs` Gaussian-noise images in the normalized input space (seed `--seed`), the
package's default. Prints one line per setting and a markdown table at the end.
"""
import argparse, sys, time
from pathlib import Path

import torch

from saft_nb.data import get_data, SPECS
from saft_nb.models import CifarResNet, load_teacher
from saft_nb.graph import quantize_model, PLACEMENTS
from saft_nb.quant import ESTIMATORS
from saft_nb.train import calibrate_student
from saft_nb.models import evaluate

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data-root', required=True, help='folder with test/<class>/*.jpg')
ap.add_argument('--ckpt', required=True, help='option-A ResNet-20 checkpoint')
ap.add_argument('--bits', type=int, nargs='+', default=[8, 4, 3])
ap.add_argument('--placements', nargs='+', default=list(PLACEMENTS), choices=PLACEMENTS)
ap.add_argument('--estimators', nargs='+', default=['ema'], choices=sorted(ESTIMATORS))
ap.add_argument('--weight-clip', nargs='+', default=['none'], choices=['none', 'mse'])
ap.add_argument('--calib-batches', type=int, default=8)
ap.add_argument('--calib-bs', type=int, default=64)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--n-test', type=int, default=0, help='use the first N test images (0: all 10,000)')
ap.add_argument('--threads', type=int, default=0)
a = ap.parse_args()

for p in (Path(a.data_root) / 'test', Path(a.ckpt)):
    if not p.exists(): sys.exit(f"rtn_real_cifar10: not found: {p}. Pass --data-root <folder with test/<class>/*.jpg> and --ckpt <checkpoint>.")
if a.threads: torch.set_num_threads(a.threads)
inet = SPECS['imagenet']
ds, spec = get_data('cifar10', a.data_root, 'test', mean=inet.mean, std=inet.std)
xs, ys = zip(*torch.utils.data.DataLoader(ds, batch_size=500))
x, y = torch.cat(xs), torch.cat(ys)
if a.n_test: x, y = x[:a.n_test], y[:a.n_test]
test = [(x[i:i + 500], y[i:i + 500]) for i in range(0, len(x), 500)]
teacher = load_teacher(CifarResNet(20), weights=a.ckpt)
fp = evaluate(teacher, test)['top1']
print(f"FP: {fp:.2f} on {len(x)} images")
rows = []
for bits in a.bits:
    for pl in a.placements:
        for est in a.estimators:
            for wc in a.weight_clip:
                t = time.time()
                q = calibrate_student(quantize_model(teacher, bits, bits, act_placement=pl), 'noise', input_shape=spec.input_shape,
                                      n_batches=a.calib_batches, bs=a.calib_bs, seed=a.seed, estimator=est,
                                      weight_clip=None if wc == 'none' else wc)
                top1 = evaluate(q, test)['top1']
                rows.append((bits, pl, est, wc, top1))
                print(f"W{bits}A{bits} {pl:>16} {est:>12} weight clip {wc:>4}: {top1:6.2f}  (drop {fp - top1:5.2f}, {time.time() - t:.0f} s)", flush=True)
print(f"\n| bits | placement | range estimator | weight clip | top-1 | drop from FP ({fp:.2f}) |\n|---|---|---|---|---|---|")
for bits, pl, est, wc, top1 in rows: print(f"| W{bits}A{bits} | {pl} | {est} | {wc} | {top1:.2f} | {fp - top1:.2f} |")

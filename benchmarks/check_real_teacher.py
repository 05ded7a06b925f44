"""Top-1 of an option-A CIFAR ResNet checkpoint (akamaster/pytorch_resnet_cifar10 layout) on a CIFAR-10 image folder.

Example (the shared validation assets, paths relative to the project root):

    python benchmarks/check_real_teacher.py --ckpt resnet20-12fca82f.th \
        --data-root <folder with <class>/*.jpg> --depth 20

The checkpoint is loaded strictly; images are normalized with the statistics the checkpoint was trained with
(ImageNet mean/std for akamaster's checkpoints; `--norm cifar` for pytorchcv's CIFAR statistics).
"""
import argparse, sys, time
from pathlib import Path

import torch

from saft_nb.data import SPECS, IMAGENET_MEAN, IMAGENET_STD, CIFAR_MEAN, CIFAR_STD, imagefolder_data
from saft_nb.models import CifarResNet, load_teacher, top1_accuracy  # top-1 in %

NORMS = {'imagenet': (IMAGENET_MEAN, IMAGENET_STD), 'cifar': (CIFAR_MEAN, CIFAR_STD)}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--ckpt', required=True, help='checkpoint file (state_dict, or dict with state_dict/model)')
    p.add_argument('--data-root', required=True, help='image folder with one sub-folder per class (e.g. cifar10-jpeg/test)')
    p.add_argument('--depth', type=int, default=20, help='ResNet depth 6n+2 (20, 32, 44, 56, 110)')
    p.add_argument('--num-classes', type=int, default=10)
    p.add_argument('--norm', choices=sorted(NORMS), default='imagenet', help='input normalization of the checkpoint')
    p.add_argument('--bs', type=int, default=256)
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch setting)')
    a = p.parse_args(argv)

    ckpt, root = Path(a.ckpt).expanduser(), Path(a.data_root).expanduser()
    missing = [f"{what} {path}" for what, path, ok in [('checkpoint file', ckpt, ckpt.is_file()),
                                                       ('image folder', root, root.is_dir())] if not ok]
    if missing: sys.exit(f"check_real_teacher: not found: {'; '.join(missing)}. Pass --ckpt <checkpoint file> and "
                         f"--data-root <folder with one sub-folder of images per class>.")
    if a.threads: torch.set_num_threads(a.threads)

    t0 = time.time()
    model = load_teacher(CifarResNet(a.depth, a.num_classes), weights=ckpt)
    mean, std = NORMS[a.norm]
    ds = imagefolder_data(root, SPECS['cifar10'], mean=mean, std=std)
    acc = top1_accuracy(model.to(memory_format=torch.channels_last), ds, bs=a.bs)
    print(f"{ckpt.name} (ResNet-{a.depth} option A, {a.norm} normalization): top-1 {acc:.2f} % "
          f"on {len(ds)} images of {root} ({time.time()-t0:.0f} s)")
    return acc

if __name__ == '__main__': main()

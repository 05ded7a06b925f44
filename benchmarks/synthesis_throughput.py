"""Throughput of `saft_nb.synthesis.synthesize` (image-steps per second) for a CIFAR ResNet-20 on this machine.

One image-step is one image through one Adam step of the pixel optimization (forward + backward through the teacher, BN-statistics
loss, Adam update). For each batch size and memory format the script runs `--warmup` steps, then times `--steps` steps of the real
`synthesize` call. Random weights are enough: the cost of a step does not depend on the weights.

    python benchmarks/synthesis_throughput.py                       # option-A ResNet-20, batch 64 and 256
    python benchmarks/synthesis_throughput.py --arch pytorchcv --threads 1 --repeats 3
"""
import argparse, os, platform, time

import torch

from saft_nb.synthesis import synthesize


def make_teacher(arch:str)->torch.nn.Module:
    if arch == 'option-a':
        from saft_nb.models import resnet20_cifar
        return resnet20_cifar(10)
    if arch == 'pytorchcv':
        from pytorchcv.model_provider import get_model
        return get_model('resnet20_cifar10', pretrained=False)
    raise ValueError(f"unknown arch {arch!r}; valid: 'option-a', 'pytorchcv'")


def image_steps_per_s(teacher, bs:int, steps:int, warmup:int, channels_last:bool, method:str)->float:
    kw = dict(n=bs, n_classes=10, input_shape=(3, 32, 32), method=method, bs=bs, progress=False, channels_last=channels_last)
    synthesize(teacher, steps=warmup, **kw)
    t0 = time.perf_counter()
    synthesize(teacher, steps=steps, **kw)
    return bs * steps / (time.perf_counter() - t0)


def best_of(repeats:int, *args)->float:
    "Best of `repeats` measurements: on a shared machine the best run is the one least disturbed by other processes"
    return max(image_steps_per_s(*args) for _ in range(repeats))


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arch', default='option-a', choices=['option-a', 'pytorchcv'])
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[64, 256])
    p.add_argument('--steps', type=int, default=3, help='timed steps per setting')
    p.add_argument('--warmup', type=int, default=1, help='untimed steps per setting')
    p.add_argument('--method', default='zeroq')
    p.add_argument('--repeats', type=int, default=1, help='measure this many times and report the best')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch decides)')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    teacher = make_teacher(a.arch)
    load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')
    print(f"ResNet-20 ({a.arch}), method {a.method!r}, CPU {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, load average {load:.2f}")
    print(f"{'batch':>6} {'channels_last':>14} {'image-steps/s':>14} {'s/step':>8}")
    for bs in a.batch_sizes:
        for cl in (False, True):
            r = best_of(a.repeats, teacher, bs, a.steps, a.warmup, cl, a.method)
            print(f"{bs:>6} {str(cl):>14} {r:>14.1f} {bs / r:>8.3f}", flush=True)


if __name__ == '__main__':
    main()

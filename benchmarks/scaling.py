#!/usr/bin/env python
"""How the synthesis step and the full SynQ fine-tuning step scale with batch size and image size, with peak memory.

    python benchmarks/scaling.py [--threads 1] [--steps 3] [--compile] [--configs resnet20:32:64 resnet20:32:256 ...]

Each configuration `model:image size:batch` runs in its own child process (so that its peak resident memory is its own):
`resnet20` is the option-A CIFAR ResNet-20 of `saft_nb.models` (adaptive pooling: it takes any image size), `resnet18`
torchvision's ImageNet ResNet-18. Random weights
and images: the cost of a step does not depend on them. Synthesis: one Adam step of the 'hast' loss (hard-sample CE + BN
statistics) as `synthesize` runs it (`--compile`: with `compile=True`). Fine-tuning: one SynQ step at W4A4 with every term of the
authors' recipe (KD, masked CE, Grad-CAM alignment, low-pass filter, HAST perturbation; feature alignment off), as in
`benchmarks/vs_authors.py`. Prints seconds per step (median of the timed steps after one warm-up step), image-steps per second
and the peak RSS increase during the steps. Time and memory come from two separate child processes: the memory child asks glibc's
malloc to return freed memory at once (so that RSS follows the live tensors), which makes every step several times slower.
"""
import argparse, json, os, statistics, subprocess, sys, time

DEFAULT = ['resnet20:32:64', 'resnet20:32:256', 'resnet20:64:64', 'resnet18:224:16']

def build(model):
    import torch
    torch.manual_seed(0)
    if model == 'resnet20':
        from saft_nb.models import resnet20_cifar
        return resnet20_cifar(10).eval(), 10
    if model == 'resnet18':
        import torchvision
        return torchvision.models.resnet18(num_classes=1000).eval(), 1000
    raise SystemExit(f"unknown model {model!r}: resnet20 or resnet18")

def rss_mb(key='VmRSS'):
    for line in open('/proc/self/status'):
        if line.startswith(key): return int(line.split()[1]) / 1024
    return float('nan')

def reset_peak():
    try:
        with open('/proc/self/clear_refs', 'w') as f: f.write('5')
    except OSError: pass

def child(cfg, bench, steps, compile_):
    import torch
    from saft_nb.synthesis import synthesize
    model, k = build(cfg[0]); size, bs = int(cfg[1]), int(cfg[2]); shape = (3, size, size)
    times = []
    if bench == 'synth':
        from saft_nb.synthesis import synth_options, frozen_teacher, BNStats, optimize_pixels, _loss_terms, _batch_loss
        from saft_nb.models import bn_layers
        opts = synth_options('hast', compile=compile_)
        with frozen_teacher(model, None, opts.channels_last) as (m, d, cl), BNStats(bn_layers(m)) as rec:
            y = torch.arange(bs) % k
            x0 = torch.randn(bs, *shape)
            if cl: x0 = x0.contiguous(memory_format=torch.channels_last)
            loss = _batch_loss(_loss_terms(m, rec, opts, None), rec, y, opts, torch.zeros(bs, dtype=torch.long), None)
            stamps = []
            def timed(x, t):
                if t == 1: reset_peak()
                stamps.append(time.perf_counter()); return loss(x, t)
            before = rss_mb(); optimize_pixels(x0, timed, steps + 2, 0.5, opts)
            times = [b - a for a, b in zip(stamps[1:], stamps[2:])]
    else:
        from saft_nb.graph import quantize_model
        from saft_nb.train import synq_learner, calibrate_student
        from saft_nb.data import make_dls
        from fastai.callback.core import Callback
        from fastai.learner import CancelValidException
        student = calibrate_student(quantize_model(model, 4, 4), 'noise', input_shape=shape, n_batches=1, bs=min(bs, 16))
        n = bs * (steps + 1)
        ds = torch.utils.data.TensorDataset(torch.randn(n, *shape), torch.randint(0, k, (n,)))
        dls = make_dls(ds, ds, bs=bs, drop_last=True, device='cpu')
        learn = synq_learner(student, model, dls, d0=80. * size / 32, lambda_ce=5., tau=0.5, lambda_cam=200., cam_target='argmax',
                             lam_fa=0., lambda_pert=1., pert_eps=0.01, kd_temp=20., kd_weight=20.)
        stamps = []
        class Stamp(Callback):
            order = 99
            def after_batch(self):
                if self.training:
                    if len(stamps) == 0: reset_peak()
                    stamps.append(time.perf_counter())
            def before_validate(self): raise CancelValidException()
        before = rss_mb()
        with learn.no_bar(), learn.no_logging(), learn.added_cbs(Stamp()): learn.fit(1, 1e-5)
        times = [b - a for a, b in zip(stamps, stamps[1:])]
    print(json.dumps(dict(s=statistics.median(times), peak_mb=rss_mb('VmHWM') - before)))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--configs', nargs='+', default=DEFAULT, help='model:image size:batch')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--steps', type=int, default=3, help='timed steps (after one warm-up step)')
    ap.add_argument('--compile', action='store_true', help='synthesis with compile=True')
    ap.add_argument('--only', choices=['synth', 'finetune'], default=None)
    ap.add_argument('--child', nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    if a.child: return child(a.child[0].split(':'), a.child[1], a.steps, a.compile)
    print(f"torch {torch.__version__}, {a.threads} thread(s), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
          f"synthesis compile={a.compile}; median of {a.steps} steps after a warm-up step")
    print(f"{'config':<18} {'step':<9} {'s/step':>8} {'image-steps/s':>14} {'peak RSS +MiB':>14}")
    for cfg in a.configs:
        for bench in (['synth', 'finetune'] if a.only is None else [a.only]):
            cmd = [sys.executable, __file__, '--child', cfg, bench, '--threads', str(a.threads), '--steps', str(a.steps)] + (['--compile'] if a.compile else [])
            mem_env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536', MALLOC_TRIM_THRESHOLD_='65536')
            res = [subprocess.run(cmd, capture_output=True, text=True, env=env) for env in (None, mem_env)]
            bad = next((r for r in res if r.returncode), None)
            if bad: print(f"{cfg:<18} {bench:<9} failed: {(bad.stderr.strip().splitlines() or ['?'])[-1]}"); continue
            (t, m), bs = [json.loads(r.stdout.strip().splitlines()[-1]) for r in res], int(cfg.split(':')[2])
            print(f"{cfg:<18} {bench:<9} {t['s']:8.3f} {bs / t['s']:14.1f} {m['peak_mb']:14.0f}", flush=True)

if __name__ == '__main__': main()

#!/usr/bin/env python
"""Per-step speed of saft_nb ("ours") against the authors' SynQ code ("theirs", github.com/snudm-starlab/SynQ).

    python benchmarks/vs_authors.py [--authors-src PATH] [--ours-src DIR] [--bs 64] [--threads 2] [--repeats 5] [--steps 5]
                         [--warmup 2] [--only synth|finetune|both] [--no-mem] [--no-channels-last] [--compile]
                         [--theirs-prior-iters N] [--profile [--profile-theirs]]

On a small shared machine prefer --threads 1: with as many OpenMP threads as cores and another job running, every
parallel op can stall for a scheduler tick (several ms) at its barrier, which swamps the comparison.

--ours-src DIR benchmarks the saft_nb package found in DIR (e.g. `git -C repo archive HEAD saft_nb | tar -x -C DIR`)
instead of the installed one, e.g. while the working tree is mid-refactor.

Model: pytorchcv `resnet20_cifar10`, pretrained=False, random weights after torch.manual_seed(0); both sides get a deep
copy of the same module. Random Gaussian images and labels (the cost of a step does not depend on the values).

(a) synthesis step: one Adam step on the pixels of HAST hard-sample CE (beta 0.1, gamma 0.5) + BN-statistics loss.
    ours:   saft_nb.synthesis.optimize_pixels with the loss closure saft_nb.synthesis._batch_loss ('hast' preset; with
            --compile, the loss terms compiled by torch.compile as `synthesize(..., compile=True)` does),
            inside frozen_teacher + BNStats, exactly as saft_nb.synthesis.synthesize runs one batch.
    theirs: data_generate/distill_data.py DistillData.get_distil_data (their whole per-iteration loop, unchanged).
(b) fine-tuning step at W4A4: KD (T 20, alpha 20) + difficulty-masked CE (lambda 5, tau 0.5) + Grad-CAM alignment
    (lambda 200) + low-pass filter (D0 80) + HAST perturbation (eps 0.01, weight 1); HAST feature alignment off;
    RandomResizedCrop(0.5-1) + flip augmentation on both sides (theirs: in their Dataset, ours: on the fly).
    ours:   saft_nb.train.synq_learner (fastai Learner + SynQ callback), one `fit` epoch of warmup+steps batches.
    theirs: trainer_direct.py Trainer.train(epoch>=5, direct_dataload) -- their per-iteration code, unchanged -- on a
            student made by main_direct.py ExperimentDesign.quantize_model (QuantConv2d/QuantLinear/QuantAct) and data
            served by main_direct.py DirectDataset.

Their loops run a fixed number of iterations (1000 pixel steps, 200 training iterations) and have no per-step entry
point, so we time them from the inside: their optimizer's `step` is wrapped to take a timestamp after every step and to
raise a private exception after warmup+steps steps, which ends their loop. A "step" is the time between consecutive
optimizer steps: everything their loop does per iteration (logging, .item() syncs, data loading, Grad-CAM set-up).
The authors' code is imported at run time from --authors-src; nothing of it is copied here. Compatibility shims (no
logic of theirs replaced): stub modules for imports their code does not use on this path (cv2, pyhocon, pytz) when
they are not installed; their vendored `pytorchcv` is imported for their own modules only; `verbose=` is dropped from
ReduceLROnPlateau (removed in recent PyTorch); on CPU `.cuda()` is made a no-op while their code runs.

Medians over --repeats alternating A/B rounds; each round times --steps steps after --warmup steps per side.
Peak memory: CUDA max_memory_allocated per side; on CPU, per side and benchmark, a child process runs the steps with
glibc malloc set to mmap (and unmap) every block >= 64 KiB (slow: ignore its s/step), resets its RSS high-water mark
after set-up and reports the peak RSS during the steps, and the RSS before them. Both children import the same modules,
so compare the peaks; the increments are rough (free heap space in the baseline is reused by the steps).
"""
import argparse, contextlib, copy, importlib, json, logging, os, pickle, resource, statistics, subprocess, sys
import tempfile, time, types

import torch
import torch.nn as nn

HERE = os.path.abspath(__file__)
N_CLASSES, SHAPE = 10, (3, 32, 32)


# ----------------------------------------------------------------------------------------------- common helpers
def build_model():
    "pytorchcv resnet20_cifar10, random weights (seed 0), eval mode"
    from pytorchcv.model_provider import get_model
    torch.manual_seed(0)
    return get_model('resnet20_cifar10', pretrained=False).eval()

class _Done(Exception):
    "Raised from inside a loop to end it once enough steps were timed"

class Stopwatch:
    "Call tick() at the end of every step; times the steps warm+1 .. warm+steps (syncs CUDA only at those two ends)"
    def __init__(self, warm, steps, dev):
        self.warm, self.steps, self.dev, self.n, self.t0, self.t1 = warm, steps, dev, 0, None, None
    def _now(self):
        if self.dev.type == 'cuda': torch.cuda.synchronize()
        return time.perf_counter()
    def tick(self)->bool:
        self.n += 1
        if self.n == self.warm: self.t0 = self._now()
        elif self.n == self.warm + self.steps: self.t1 = self._now(); return True
        return False
    @property
    def per_step(self):
        if self.t1 is None: raise RuntimeError(f"only {self.n} of {self.warm + self.steps} steps ran")
        return (self.t1 - self.t0) / self.steps

@contextlib.contextmanager
def quiet():
    "Their loops print every iteration: send stdout to /dev/null (the formatting cost stays)"
    with open(os.devnull, 'w') as f, contextlib.redirect_stdout(f): yield

def rss_mb(field='VmRSS'):
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'): return int(line.split()[1]) / 1024
    return float('nan')


# ----------------------------------------------------------------------------------------------- ours (saft_nb)
def ours_synthesis_setup(teacher, bs, dev, channels_last=None, compile=False):
    return dict(teacher=copy.deepcopy(teacher), bs=bs, dev=dev, channels_last=channels_last, compile=compile)

def ours_synthesis_step(state, warm, steps, counters=None):
    "Seconds per pixel-optimization step of saft_nb's 'hast' synthesis (one batch, as `synthesize` runs it)"
    from saft_nb.synthesis import (synth_options, frozen_teacher, BNStats, balanced_labels, local_generator,
                                   optimize_pixels, _loss_terms, _batch_loss)
    from saft_nb.graph import bn_layers
    teacher, bs, dev = state['teacher'], state['bs'], state['dev']
    opts = synth_options('hast', channels_last=state['channels_last'], compile=state['compile'])  # None: saft_nb's default (channels_last on CPU)
    sw = Stopwatch(warm, steps, dev)
    with frozen_teacher(teacher, dev, opts.channels_last) as (model, d, cl), BNStats(bn_layers(model)) as rec:
        if counters is not None: counters.attach(model, 'teacher')
        y = balanced_labels(bs, N_CLASSES, 0).to(d)
        g = local_generator(0, 1, 0, 0)
        x0 = torch.randn(bs, *SHAPE, generator=g).to(d)
        if cl: x0 = x0.contiguous(memory_format=torch.channels_last)
        loss = _batch_loss(_loss_terms(model, rec, opts, None), rec, y, opts, torch.zeros(bs, dtype=torch.long, device=d), g)
        def timed(x, t):
            if t > 0: sw.tick()  # the start of step t is the end of step t-1
            return loss(x, t)
        optimize_pixels(x0, timed, warm + steps + 1, 0.5, opts)
        if counters is not None: counters.detach()
    return sw.per_step

def ours_finetune_setup(teacher, bs, dev, n_batches, channels_last=True, augment=True):
    "A saft_nb SynQ learner (W4A4 student calibrated on noise) over n_batches random batches"
    from saft_nb.graph import quantize_model
    from saft_nb.train import synq_learner, calibrate_student
    from saft_nb.data import make_dls
    student = calibrate_student(quantize_model(teacher, 4, 4), 'noise', input_shape=SHAPE, n_batches=2, bs=bs)
    n = bs * n_batches
    g = torch.Generator().manual_seed(1)
    ds = torch.utils.data.TensorDataset(torch.randn(n, *SHAPE, generator=g), torch.randint(0, N_CLASSES, (n,), generator=g))
    val = torch.utils.data.TensorDataset(torch.randn(bs, *SHAPE), torch.randint(0, N_CLASSES, (bs,)))
    dls = make_dls(ds, val, bs=bs, device=dev, drop_last=True)
    return synq_learner(student, copy.deepcopy(teacher), dls, d0=80., augment=augment, kd_temp=20., kd_weight=20.,
                        lambda_ce=5., tau=0.5, lambda_cam=200., cam_target='argmax', lam_fa=0., lambda_pert=1.,
                        pert_eps=0.01, channels_last=channels_last)

def ours_finetune_step(learn, warm, steps, dev, counters=None):
    "Seconds per training step of one fastai epoch of the SynQ learner"
    from fastai.callback.core import Callback
    from fastai.learner import CancelValidException
    sw = Stopwatch(warm, steps, dev)
    class Stamp(Callback):
        order = 99
        def before_fit(self):
            if counters is not None: counters.attach(self.learn.model, 'student'); counters.attach(self.learn.synq.teacher, 'teacher')
        def after_batch(self):
            if self.training: sw.tick()
        def before_validate(self): raise CancelValidException()
    try:
        with learn.no_bar(), learn.no_logging(), learn.added_cbs(Stamp()): learn.fit(1, 1e-5)
    finally:
        if counters is not None: counters.detach()
    return sw.per_step


# ----------------------------------------------------------------------------------------------- theirs (authors)
class Authors(types.SimpleNamespace):
    "Their modules, imported from --authors-src"

def _stub(name, **attrs)->bool:
    "Put a stub module `name` in sys.modules if it cannot be imported; True if it did"
    try: importlib.import_module(name); return False
    except ImportError:
        m = types.ModuleType(name); m.__dict__.update(attrs); m.__file__ = '<stub: not installed, unused here>'
        sys.modules[name] = m
        return True

def load_authors(src)->Authors:
    """Import their modules from `src` (the repository root or its src/): quantization_utils.quant_modules, gradcam,
    utils, trainer_direct, main_direct (from src/) and distill_data (from src/data_generate/)."""
    src = os.path.abspath(src)
    if os.path.isdir(os.path.join(src, 'src')): src = os.path.join(src, 'src')
    for f in ('trainer_direct.py', 'main_direct.py', 'data_generate/distill_data.py', 'quantization_utils/quant_modules.py'):
        if not os.path.exists(os.path.join(src, f)): raise SystemExit(f"--authors-src: {src} has no {f}")
    # imports their code makes at module level but never uses on the paths timed here
    # (stubs leave sys.modules again afterwards: e.g. pandas probes for pytz and must not find a stub)
    import saft_nb.train, saft_nb.synthesis  # noqa: F401  (ours first: fastai imports pandas)
    stubs = [n for n, kw in (('cv2', {}),                      # utils/gradcam.py: only visualize_cam
                             ('pyhocon', {'ConfigFactory': None}),  # options.py: reading .hocon files
                             ('pytz', {}))                     # options.py: naming log folders
             if _stub(n, **kw)]
    # their modules import their vendored pytorchcv (the installed one lacks pytorchcv.models.mobilenet.DwsConvBlock);
    # import it for them under its name, then put the installed pytorchcv back for everything else
    import pytorchcv.model_provider  # noqa: F401  (ours, installed; loaded first)
    ours_cv = {k: sys.modules.pop(k) for k in list(sys.modules) if k == 'pytorchcv' or k.startswith('pytorchcv.')}
    paths = [src, os.path.join(src, 'data_generate')]
    sys.path[:0] = paths
    try:
        A = Authors(src=src)
        A.quant_modules = importlib.import_module('quantization_utils.quant_modules')
        A.gradcam = importlib.import_module('gradcam')
        A.utils = importlib.import_module('utils')
        A.trainer_direct = importlib.import_module('trainer_direct')
        A.main_direct = importlib.import_module('main_direct')
        A.distill_data = importlib.import_module('distill_data')
        A.pytorchcv = sys.modules['pytorchcv']
    finally:
        del sys.path[:len(paths)]
        for k in [k for k in sys.modules if k == 'pytorchcv' or k.startswith('pytorchcv.')]: sys.modules.pop(k)
        sys.modules.update(ours_cv)
        for n in stubs: sys.modules.pop(n, None)
    A.stubs = stubs
    for name in ('quant_modules', 'gradcam', 'utils', 'trainer_direct', 'main_direct', 'distill_data', 'pytorchcv'):
        f = getattr(A, name).__file__
        if not os.path.abspath(f).startswith(src): raise SystemExit(f"their module {name} resolved to {f}, not under {src}")
    return A

@contextlib.contextmanager
def cpu_cuda_shim(dev):
    "On CPU, make Tensor.cuda / Module.cuda no-ops while their (CUDA-only) code runs"
    if dev.type == 'cuda': yield; return
    old_t, old_m = torch.Tensor.cuda, nn.Module.cuda
    torch.Tensor.cuda = lambda self, *a, **k: self
    nn.Module.cuda = lambda self, *a, **k: self
    try: yield
    finally: torch.Tensor.cuda, nn.Module.cuda = old_t, old_m

def _plateau(optimizer, **kw):
    "ReduceLROnPlateau without `verbose` (removed from PyTorch after their 1.13)"
    kw.pop('verbose', None)
    return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, **kw)

def theirs_synthesis_setup(A, teacher, bs, dev):
    return dict(A=A, teacher=teacher, bs=bs, dev=dev)

def theirs_synthesis_step(state, warm, steps, counters=None):
    "Seconds per pixel step of their DistillData.get_distil_data (resnet20_cifar10, beta 0.1, gamma 0.5, no LBNS)"
    A, bs, dev = state['A'], state['bs'], state['dev']
    dd = A.distill_data
    t = copy.deepcopy(state['teacher']).to(dev)  # get_distil_data adds BN hooks at every call: a fresh copy each time
    if counters is not None: counters.attach(t, 'teacher')
    sw = Stopwatch(warm, steps, dev)
    class TimedAdam(torch.optim.Adam):
        def step(self, *a, **k):
            r = super().step(*a, **k)
            if sw.tick(): raise _Done
            return r
    fake_optim = types.SimpleNamespace(Adam=TimedAdam, lr_scheduler=types.SimpleNamespace(ReduceLROnPlateau=_plateau))
    args = types.SimpleNamespace(lbns=False, num_data=bs)  # one batch; their generate_data.py args with --lbns off
    old = dd.optim
    dd.optim = fake_optim
    try:
        with tempfile.TemporaryDirectory() as tmp, quiet(), cpu_cuda_shim(dev):
            try:
                dd.DistillData(args).get_distil_data(model_name='resnet20_cifar10', teacher_model=t, batch_size=bs,
                                                     group=1, beta=0.1, gamma=0.5, save_path_head=tmp)
            except _Done: pass
    finally:
        dd.optim = old
        if counters is not None: counters.detach()
    return sw.per_step

def _their_settings(bs, tmp):
    "Their Option fields used on this path (CIFAR-10, W4A4; values of their configs and Option defaults)"
    return types.SimpleNamespace(
        dataset='cifar10', model_name='resnet20_cifar10', num_classes=10, qw=4, qa=4,
        temperature=20, alpha=20, lam=1000, eps=0.01,                        # Option: lam 1000, eps 0.01 (hard-coded)
        latent_dim=100, img_size=32, channels=3, lr_g=0.001, b1=0.5, b2=0.999,
        lr_s=1e-6, momentum=0.9, weight_decay=1e-4, opt_type='SGD', num_epochs=400, batch_size=bs,
        lr_policy_s='multi_step', step_s=[100, 200, 350], decay_rate_s=0.1,
        lr_policy_g='multi_step', step_g=[100, 200, 300], decay_rate_g=0.1,
        generate_data_path=os.path.join(tmp, 'x_group'), genera_label_path=os.path.join(tmp, 'y_group'))

def theirs_finetune_setup(A, teacher, bs, dev, n_batches, prior_iters=0):
    """Their Trainer on a student quantized by their ExperimentDesign.quantize_model, activation ranges calibrated on 2
    Gaussian batches (their QuantAct starts with running_stat on) and frozen by their freeze_model; data: their
    DirectDataset over n_batches*bs Gaussian images written in their pickle format; DataLoader + DistributedSampler
    (one replica) as in their run(). Single process: no DDP / SyncBatchNorm wrapping."""
    md, td = A.main_direct, A.trainer_direct
    tmp = tempfile.mkdtemp(prefix='synq_theirs_')
    settings = _their_settings(bs, tmp)
    args = types.SimpleNamespace(local_rank=0 if dev.type == 'cuda' else 'cpu', cam_type='gradcam', lambda_cam=200.,
                                 lambda_pert=1., selce=True, tau_selce=0.5, lambda_ce=5., d_zero=80, few_shot=False,
                                 calib_centers=False, save_model=False)
    logger = logging.getLogger('synq_authors_bench'); logger.setLevel(logging.WARNING); logger.propagate = False
    fake = types.SimpleNamespace(settings=settings, args=args, logger=logger)
    fake.quantize_model = lambda m: md.ExperimentDesign.quantize_model(fake, m)
    fake.freeze_model = lambda m: md.ExperimentDesign.freeze_model(fake, m)
    student = fake.quantize_model(copy.deepcopy(teacher)).to(dev).eval()
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        for _ in range(2): student(torch.randn(bs, *SHAPE, generator=g).to(dev))
    fake.freeze_model(student)
    model_teacher = copy.deepcopy(teacher).to(dev).eval()
    generator = md.Generator(options=settings).to(dev)
    lr_s = A.utils.LRPolicy(settings.lr_s, settings.num_epochs, settings.lr_policy_s)
    lr_g = A.utils.LRPolicy(settings.lr_g, settings.num_epochs, settings.lr_policy_g)
    lr_s.set_params(params_dict={'step': settings.step_s, 'decay_rate': settings.decay_rate_s})
    lr_g.set_params(params_dict={'step': settings.step_g, 'decay_rate': settings.decay_rate_g})
    # their synthetic-data files: 4 groups, each a list of float32 arrays and a list of int64 label arrays
    n = n_batches * bs
    x = torch.randn(n, *SHAPE, generator=g).numpy(); y = torch.randint(0, N_CLASSES, (n,), generator=g).numpy()
    for i, idx in enumerate(torch.arange(n).chunk(4), 1):
        with open(f"{settings.generate_data_path}{i}.pickle", 'wb') as f: pickle.dump([x[idx.numpy()]], f)
        with open(f"{settings.genera_label_path}{i}.pickle", 'wb') as f: pickle.dump([y[idx.numpy()]], f)
    with quiet(), cpu_cuda_shim(dev):
        trainer = td.Trainer(model=student, model_teacher=model_teacher, generator=generator, lr_master_s=lr_s,
                             lr_master_g=lr_g, train_loader=None, test_loader=None, settings=settings, args=args,
                             logger=logger, opt_type=settings.opt_type)
        ds = md.DirectDataset(args, settings, logger, settings.dataset)
        for _ in range(prior_iters): trainer.update_cam()  # the Grad-CAM set-up of `prior_iters` earlier iterations
    from torch.utils.data.distributed import DistributedSampler
    dl = torch.utils.data.DataLoader(ds, batch_size=min(bs, len(ds)), sampler=DistributedSampler(ds, num_replicas=1, rank=0))
    return dict(trainer=trainer, dl=dl, dev=dev, tmp=tmp)

def theirs_finetune_step(state, warm, steps, counters=None, epoch=5):
    """Seconds per iteration of their Trainer.train at an epoch >= 5 (direct-data phase; epoch 4, where their FA hooks
    and the DDP min/max all-reduce are set up, is skipped, so HAST feature alignment stays off)"""
    trainer, dl, dev = state['trainer'], state['dl'], state['dev']
    if counters is not None: counters.attach(trainer.model, 'student'); counters.attach(trainer.model_teacher, 'teacher')
    sw = Stopwatch(warm, steps, dev)
    opt = trainer.optimizer_s
    real_step = opt.step
    def step(*a, **k):
        r = real_step(*a, **k)
        if sw.tick(): raise _Done
        return r
    opt.step = step
    try:
        with quiet(), cpu_cuda_shim(dev):
            try: trainer.train(epoch=epoch, direct_dataload=dl)
            except _Done: pass
    finally:
        del opt.step
        if counters is not None: counters.detach()
    return sw.per_step


# ----------------------------------------------------------------------------------------------- pass counters
class PassCounters:
    """Counts, per model: forward calls (and images), backward passes that reach the first block's output (full-depth
    backward), and backward passes that reach the classifier input (any backward through the model's tail)"""
    def __init__(self): self.c, self.handles = {}, []
    def _add(self, key, n=1): self.c[key] = self.c.get(key, 0) + n
    def attach(self, model, name):
        first = next(iter(model.features.children()))  # init_block (their quantized copy is an unnamed Sequential)
        def fwd(m, i, o): self._add(f'{name} forward'); self._add(f'{name} images forwarded', o.shape[0])
        def first_out(m, i, o):
            if torch.is_grad_enabled() and o.requires_grad: o.register_hook(lambda g: self._add(f'{name} backward to first block'))
        def tail_in(m, i):
            if torch.is_grad_enabled() and i[0].requires_grad: i[0].register_hook(lambda g: self._add(f'{name} backward through classifier'))
        self.handles += [model.register_forward_hook(fwd), first.register_forward_hook(first_out),
                         model.output.register_forward_pre_hook(tail_in)]
    def detach(self):
        for h in self.handles: h.remove()
        self.handles = []
    def per_step(self, steps): return {k: v / steps for k, v in sorted(self.c.items())}


# ----------------------------------------------------------------------------------------------- driver
def make_runners(a, dev, A):
    "bench -> side -> (setup(), step(state, warm, steps, counters))"
    teacher = build_model()
    nb = a.warmup + a.steps
    R = {'synth': {}, 'finetune': {}}
    R['synth']['ours'] = (lambda: ours_synthesis_setup(teacher, a.bs, dev, False if a.no_channels_last else None, a.compile),
                          ours_synthesis_step)
    R['finetune']['ours'] = (lambda: ours_finetune_setup(teacher, a.bs, dev, nb, not a.no_channels_last, not a.no_augment),
                             lambda learn, w, s, c=None: ours_finetune_step(learn, w, s, dev, c))
    if A is not None:
        R['synth']['theirs'] = (lambda: theirs_synthesis_setup(A, teacher, a.bs, dev), theirs_synthesis_step)
        R['finetune']['theirs'] = (lambda: theirs_finetune_setup(A, teacher, a.bs, dev, nb, a.theirs_prior_iters),
                                   theirs_finetune_step)
    return R

def mem_child(a, dev, A, bench, side):
    "Run one side's steps in this (child) process; print its peak RSS during the steps and the RSS before them"
    setup, step = make_runners(a, dev, A)[bench][side]
    st = setup()
    before = rss_mb()
    try:  # reset the RSS high-water mark (Linux >= 4.0) so that set-up and imports do not count
        with open('/proc/self/clear_refs', 'w') as f: f.write('5')
        reset = True
    except OSError: reset = False
    t = step(st, a.warmup, a.steps)
    peak = rss_mb('VmHWM') if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(dict(peak_mb=peak, rss_before_mb=before, hwm_reset=reset, s=t)))

def child_memory(a, bench, side):
    """Peak memory of one side's steps, measured in a child process. glibc's malloc is told to serve every block of
    64 KiB or more with mmap and to return freed memory, so that RSS follows the live tensors instead of the heap's
    cached free space (otherwise both sides read as the same high-water mark)."""
    cmd = [sys.executable, HERE, *(['--ours-src', a.ours_src] if a.ours_src else []), '--bs', str(a.bs), '--threads', str(a.threads), '--steps', str(a.steps),
           '--warmup', str(a.warmup), '--mem-child', f'{bench}:{side}', '--device', 'cpu',
           '--theirs-prior-iters', str(a.theirs_prior_iters)]
    if a.authors_src: cmd += ['--authors-src', a.authors_src]
    if a.no_channels_last: cmd.append('--no-channels-last')
    if a.no_augment: cmd.append('--no-augment')
    if a.compile: cmd.append('--compile')
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536', MALLOC_TRIM_THRESHOLD_='65536')
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode: return dict(error=out.stderr.strip().splitlines()[-1:] or ['?'])
    return json.loads(out.stdout.strip().splitlines()[-1])

def profile(a, dev, R, bench, side):
    from torch.profiler import profile as tprofile, ProfilerActivity
    setup, step = R[bench][side]
    st = setup()
    step(st, a.warmup, 1)  # warm up outside the profile
    if bench == 'finetune':  # a fresh learner/trainer: the warm-up consumed batches (and, theirs, added Grad-CAM hooks)
        st = setup()
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if dev.type == 'cuda' else [])
    counters = PassCounters()
    with tprofile(activities=acts, record_shapes=False) as prof:
        t = step(st, 1, a.steps, counters)
    sort = 'self_cuda_time_total' if dev.type == 'cuda' else 'self_cpu_time_total'
    print(f"\n=== profile: {side} {bench}, {a.steps} steps, {t:.4f} s/step while profiled ===")
    # counters and profile cover every step run: the stopwatch's warm step and the timed ones; ours synth also runs the
    # step whose start ends the last timed one; ours fine-tuning runs its whole epoch (warmup + steps batches)
    ran = {('synth', 'ours'): a.steps + 2, ('finetune', 'ours'): a.warmup + a.steps}.get((bench, side), a.steps + 1)
    print(f"    (profile and counts cover {ran} steps; divide the table's times and calls by {ran} for one step)")
    for k, v in counters.per_step(ran).items(): print(f"    {k:<45s} {v:8.2f} per step")
    print(prof.key_averages().table(sort_by=sort, row_limit=a.profile_rows, max_name_column_width=60))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--authors-src', help="checkout of github.com/snudm-starlab/SynQ (root or its src/); without it: ours only")
    ap.add_argument('--ours-src', help="folder that holds the saft_nb package to benchmark (e.g. a `git archive` snapshot); "
                    "default: the installed saft_nb")
    ap.add_argument('--bs', type=int, default=64)
    ap.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    ap.add_argument('--repeats', type=int, default=5, help='A/B rounds')
    ap.add_argument('--steps', type=int, default=5, help='timed steps per side and round')
    ap.add_argument('--warmup', type=int, default=2, help='untimed steps before them')
    ap.add_argument('--only', choices=['synth', 'finetune', 'both'], default='both')
    ap.add_argument('--device', default=None, help="'cpu' or 'cuda' (default: cuda if available)")
    ap.add_argument('--no-mem', action='store_true', help='skip the peak-memory measurement')
    ap.add_argument('--no-channels-last', action='store_true', help="ours: contiguous memory format (default: channels_last for fine-tuning, saft_nb's default for synthesis)")
    ap.add_argument('--compile', action='store_true', help="ours: synthesis with compile=True (torch.compile of the teacher's forward and the loss; the warm-up steps absorb the compile)")
    ap.add_argument('--no-augment', action='store_true', help='ours: no on-the-fly crop/flip (theirs always augments in its Dataset)')
    ap.add_argument('--theirs-prior-iters', type=int, default=0,
                    help="theirs: run Trainer.update_cam this many times first, as that many earlier iterations of their "
                         "loop did (each adds a Grad-CAM forward+backward hook pair to the student that is never removed)")
    ap.add_argument('--profile', action='store_true', help='profile our steps with torch.profiler instead of the A/B timing')
    ap.add_argument('--profile-theirs', action='store_true', help='with --profile: also profile theirs')
    ap.add_argument('--profile-rows', type=int, default=15)
    ap.add_argument('--mem-child', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.ours_src: sys.path.insert(0, os.path.abspath(a.ours_src))

    torch.set_num_threads(a.threads)
    dev = torch.device(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    A = load_authors(a.authors_src) if a.authors_src else None
    if a.mem_child: return mem_child(a, dev, A, *a.mem_child.split(':'))
    import saft_nb
    benches = ['synth', 'finetune'] if a.only == 'both' else [a.only]
    sides = ['theirs', 'ours'] if A is not None else ['ours']
    print(f"device {dev}{' (' + torch.cuda.get_device_name() + ')' if dev.type == 'cuda' else ''}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, bs {a.bs}, {a.repeats} rounds x {a.steps} steps after {a.warmup} warm-up, "
          f"load average {os.getloadavg()}")
    print(f"ours: saft_nb {getattr(saft_nb, '__version__', '?')} from {os.path.dirname(saft_nb.__file__)}")
    if A is not None:
        print(f"theirs: {A.src} (" + ', '.join(os.path.relpath(getattr(A, m).__file__, A.src) for m in
              ('distill_data', 'trainer_direct', 'main_direct', 'quant_modules', 'gradcam', 'utils', 'pytorchcv')) + ')'
              + (f"; stubbed (not installed, unused): {', '.join(A.stubs)}" if A.stubs else ''))
    R = make_runners(a, dev, A)
    if a.profile:
        for b in benches:
            for s in (sides if a.profile_theirs else ['ours']): profile(a, dev, R, b, s)
        return

    for b in benches:
        states = {s: R[b][s][0]() for s in sides} if b == 'synth' else {}
        times, peaks = {s: [] for s in sides}, {s: [] for s in sides}
        for r in range(a.repeats):
            for s in (sides if r % 2 == 0 else sides[::-1]):
                st = states[s] if b == 'synth' else R[b][s][0]()  # fine-tuning: fresh learner/trainer each round
                if dev.type == 'cuda': torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
                times[s].append(R[b][s][1](st, a.warmup, a.steps))
                if dev.type == 'cuda': peaks[s].append(torch.cuda.max_memory_allocated() / 2**20)
        name = {'synth': 'synthesis step (HAST CE + BNS, Adam on pixels)', 'finetune': 'fine-tuning step (W4A4 SynQ)'}[b]
        print(f"\n{name}:")
        for s in sides:
            ts = times[s]
            line = f"  {s:<6s} median {statistics.median(ts):.4f} s/step  (rounds: {', '.join(f'{t:.4f}' for t in ts)})"
            if dev.type == 'cuda': line += f"  peak CUDA alloc {max(peaks[s]):.0f} MiB"
            print(line, flush=True)
        if len(sides) == 2:
            print(f"  ratio theirs/ours = {statistics.median(times['theirs']) / statistics.median(times['ours']):.2f}")
        if dev.type == 'cpu' and not a.no_mem:
            for s in sides:
                m = child_memory(a, b, s)
                if 'error' in m: print(f"  {s:<6s} peak memory: child failed: {m['error']}")
                else: print(f"  {s:<6s} peak RSS during the steps {m['peak_mb']:.0f} MiB; {m['rss_before_mb']:.0f} MiB before them "
                            f"(+{m['peak_mb'] - m['rss_before_mb']:.0f}){'' if m['hwm_reset'] else ' [HWM not resettable: process peak]'}; "
                            f"{m['s']:.4f} s/step in that child")
    print(f"\nload average at the end {os.getloadavg()}")

if __name__ == '__main__':
    main()

"""Seconds per SynQ fine-tuning step: ResNet-20 (pytorchcv, CIFAR shape 3x32x32) at W4A4, batch 64,
with every SynQ term on, then with each term off, on this machine's device.

    python benchmarks/finetune_step.py [--steps 10] [--bs 64] [--no-channels-last]

Random weights and random images: the cost of a step does not depend on them.
"""
import argparse, time
import torch
from pytorchcv.model_provider import get_model
from saft_nb.graph import quantize_model
from saft_nb.data import make_dls
from saft_nb.train import synq_learner, calibrate_student

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--steps', type=int, default=10, help='timed steps per configuration (after 2 warm-up steps)')
ap.add_argument('--bs', type=int, default=64)
ap.add_argument('--no-channels-last', action='store_true', help='keep the default (contiguous) memory format')
a = ap.parse_args()

dev = 'cuda' if torch.cuda.is_available() else 'cpu'
torch.manual_seed(0)
teacher = get_model('resnet20_cifar10', pretrained=False).eval()
n = a.bs * (a.steps + 2)
ds = torch.utils.data.TensorDataset(torch.randn(n, 3, 32, 32), torch.randint(0, 10, (n,)))
val = torch.utils.data.TensorDataset(torch.randn(a.bs, 3, 32, 32), torch.randint(0, 10, (a.bs,)))
ALL = dict(d0=80., lambda_ce=5., lambda_cam=200., lam_fa=1000., lambda_pert=1.)
configs = {'all terms on (LPF, masked CE, CAM, FA, perturbation)': {},
           'no low-pass filter': dict(d0=None), 'no masked CE': dict(lambda_ce=0.), 'no CAM alignment': dict(lambda_cam=0.),
           'no HAST feature alignment': dict(lam_fa=0.), 'no HAST perturbation': dict(lambda_pert=0.),
           'KD only': dict(d0=None, lambda_ce=0., lambda_cam=0., lam_fa=0., lambda_pert=0.)}

print(f"device {dev}, torch {torch.__version__}, {torch.get_num_threads()} threads, batch {a.bs}, "
      f"channels_last {not a.no_channels_last}, {a.steps} timed steps each")
for label, off in configs.items():
    student = calibrate_student(quantize_model(teacher, 4, 4), 'noise', input_shape=(3, 32, 32), n_batches=2)
    dls = make_dls(ds, val, bs=a.bs, device=dev, drop_last=True)
    learn = synq_learner(student, teacher, dls, channels_last=not a.no_channels_last, **{**ALL, **off})
    stamps = []
    from fastai.callback.core import Callback
    class Stamp(Callback):
        def after_batch(self):
            if self.training:
                if dev == 'cuda': torch.cuda.synchronize()
                stamps.append(time.perf_counter())
        def before_validate(self): raise __import__('fastai').learner.CancelValidException()
    with learn.no_bar(), learn.no_logging(), learn.added_cbs(Stamp()): learn.fit(1, 1e-5)
    dt = (stamps[-1] - stamps[1]) / (len(stamps) - 2)
    print(f"{label:<55s} {dt:7.3f} s/step")

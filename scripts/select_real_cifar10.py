"""Choose the 'recommended' recipe for a REAL pretrained CIFAR-10 ResNet-20 without any real image: `saft_nb.select.select_recipe`
on the teacher's own synthetic images (a held-out fifth scores each candidate by the student's fidelity to the teacher).

    python scripts/select_real_cifar10.py --data-root <folder with test/<class>/*.jpg> --ckpt resnet20-12fca82f.th \
        --out results/real_cifar10 [--bits 4 3] [--trials 20] [--steps 100]

The data root is read for nothing but the data set's layout check that `experiment.run` also does (the test images are never
loaded here). The synthetic set is the one the table's rows use (same settings, same cache). Writes
<out>/selection_w<B>a<B>.json (chosen values, score, every trial) and resumes an interrupted search from <out>/selection.db.
"""
import argparse, json, sys, time
from pathlib import Path

import torch

from saft_nb.experiment import make_config, Row, TRAIN_DATA
from saft_nb.select import select_recipe, SEARCH_SPACE

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data-root', required=True)
ap.add_argument('--ckpt', required=True)
ap.add_argument('--out', default='results/real_cifar10')
ap.add_argument('--bits', type=int, nargs='+', default=[4, 3])
ap.add_argument('--trials', type=int, default=20)
ap.add_argument('--steps', type=int, default=100, help='fine-tuning iterations per candidate')
ap.add_argument('--synth-n', type=int, default=1024)
ap.add_argument('--synth-steps', type=int, default=200)
ap.add_argument('--centre-steps', type=int, default=300)
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--threads', type=int, default=0)
ap.add_argument('--kd-only', action='store_true', help='search the range settings and lr only, with the KD term alone')
a = ap.parse_args()
for p in (Path(a.data_root) / 'test', Path(a.ckpt)):
    if not p.exists(): sys.exit(f"select_real_cifar10: not found: {p}")
if a.threads: torch.set_num_threads(a.threads)
out = Path(a.out); out.mkdir(parents=True, exist_ok=True)
cfg = make_config(dataset='cifar10', data_root=a.data_root, model='resnet20a_cifar10', teacher_weights=a.ckpt, preset='recommended',
                  synth_n=a.synth_n, synth_steps=a.synth_steps, synth_options=dict(centre_steps=a.centre_steps), seed=a.seed)
row = Row(cfg, out)
synthetic = row.synthetic   # the rows' synthetic set (cached under <out>/synthetic)
space = dict(SEARCH_SPACE)
fixed = dict(lam_fa=0., lambda_pert=0.)  # HAST's extra terms are outside this CPU budget (they double a step)
if a.kd_only:
    for k in ('d0', 'lambda_ce', 'lambda_cam', 'tau'): space.pop(k)
    fixed.update(d0=None, lambda_ce=0., lambda_cam=0.)
for b in a.bits:
    name = f"selection_w{b}a{b}{'_kd' if a.kd_only else ''}"
    t = time.time()
    sel = select_recipe(row.teacher, synthetic, b, b, space=space, fixed=fixed, n_trials=a.trials, steps=a.steps, seed=a.seed,
                        storage=f"sqlite:///{out / 'selection.db'}", study_name=name, weight_clip='mse')
    rec = dict(bits=b, best=sel['best'], score=sel['score'], trials=json.loads(sel['trials'].to_json(orient='records')),
               space={k: list(v) for k, v in space.items()}, fixed=fixed, steps=a.steps, n_trials=a.trials, seed=a.seed,
               synthetic=dict(n=a.synth_n, steps=a.synth_steps, centre_steps=a.centre_steps), seconds=time.time() - t)
    (out / f"{name}.json").write_text(json.dumps(rec, indent=1, default=str))
    print(f"W{b}A{b}: chosen {sel['best']}  (held-out KL {sel['score']['kl']:.4f}, agreement {sel['score']['agreement']:.3f}, "
          f"{time.time() - t:.0f} s)", flush=True)

"""Zero-shot (and few-shot) quantization of a REAL pretrained CIFAR-10 ResNet-20 on this CPU, evaluated on real images.

Uses the option-A ResNet-20 checkpoint (akamaster, `resnet20-12fca82f.th`) and the CIFAR-10 test set re-encoded as JPEG
(`<data_root>/test/<class>/*.jpg`, and `<data_root>/train-50` for few-shot). Both are paths, never copied here.
The JPEG re-encoding costs the FP model about 10 points (81.03 % instead of 91.78 %): compare rows relatively.

    python scripts/validate_real_cifar10.py --data-root ../shared/data/cifar10-jpeg \
        --ckpt ../shared/models/resnet20-12fca82f.th --out results/real_cifar10 [--bits 4 3] [--rows none kd synq]

Each row is one `saft_nb.experiment.run` (records are reused when rerun with the same configuration); the table is
written to <out>/table.md.
"""
import argparse, json, re, sys, time
import torch
from pathlib import Path
from saft_nb.experiment import run, FINETUNE

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('--data-root', required=True)
ap.add_argument('--ckpt', required=True)
ap.add_argument('--out', default='results/real_cifar10')
ap.add_argument('--bits', type=int, nargs='+', default=[4, 3])
ap.add_argument('--rows', nargs='+', default=['none', 'kd', 'synq'], help=f'fine-tuning recipes, of {list(FINETUNE)}')
ap.add_argument('--seed', type=int, default=0)
ap.add_argument('--synth-n', type=int, default=1024)
ap.add_argument('--synth-steps', type=int, default=200)
ap.add_argument('--epochs', type=int, default=40)
ap.add_argument('--valid-every', type=int, default=20, help='validate on the 10,000 test images every this many epochs')
ap.add_argument('--fewshot-k', type=int, default=0, help='> 0: few-shot rows with k real images per class from <data_root>/train-50')
ap.add_argument('--threads', type=int, default=0, help='torch CPU threads (0: torch default)')
ap.add_argument('--table-only', action='store_true', help='only (re)write <out>/table.md from the records there')
ap.add_argument('--bs', type=int, default=64)
ap.add_argument('--lr', type=float, default=1e-5)
ap.add_argument('--d0', type=float, default=20.)
ap.add_argument('--lambda-ce', type=float, default=5.)
ap.add_argument('--lambda-cam', type=float, default=200.)
ap.add_argument('--tau', type=float, default=0.5)
ap.add_argument('--lam-fa', type=float, default=0., help="HAST feature alignment (the authors' code: 1000; off here: Eq. 6 only)")
ap.add_argument('--lambda-pert', type=float, default=0., help="HAST perturbation (the authors' code: 1; off here: it doubles a step)")
ap.add_argument('--tag', default='', help='suffix of the record names (e.g. for a variant of the SynQ options)')
a = ap.parse_args()

for p in (Path(a.data_root)/'test', Path(a.ckpt)):
    if not p.exists(): sys.exit(f"missing {p}: see ASSETS.md for the CIFAR-10 JPEG folder and the option-A checkpoint")
common = dict(dataset='cifar10', data_root=a.data_root, norm='imagenet', model='resnet20a_cifar10', teacher_weights=a.ckpt,
              seed=a.seed, synth_method='centres', synth_n=a.synth_n, synth_steps=a.synth_steps, synth_bs=256,
              epochs=a.epochs, bs=a.bs, lr=a.lr, calib='noise', valid_every=a.valid_every,
              synq_options=dict(d0=a.d0, lambda_ce=a.lambda_ce, lambda_cam=a.lambda_cam, tau=a.tau, lam_fa=a.lam_fa,
                                lambda_pert=a.lambda_pert))
def write_table(out:Path):
    "Markdown table of every record in `out`, with the budget and the caveats, to <out>/table.md."
    recs = [json.loads(f.read_text()) for f in sorted(out.glob('*.json'))]
    if not recs: return
    paper = {(4, 4): 1.13, (3, 3): 5.78}  # SynQ paper, pytorchcv ResNet-20 CIFAR-10: FP 93.89 -> 92.76 / 88.11
    label = {'none': 'round-to-nearest + calibration', 'kd': 'KD only', 'synq': 'SynQ'}
    lines = ['| bits | method | train data | top-1 (final) | drop from FP | paper SynQ drop | best epoch (test-selected) |',
             '|---|---|---|---|---|---|---|']
    fp = recs[0]['fp']['top1']
    ref = next((r['config'] for r in recs if re.fullmatch(r'cifar10_resnet20a_w\da\d_synq_seed\d+', r['name'])), recs[-1]['config'])  # untagged
    lines.append(f'| FP32 | teacher | | {fp:.2f} | 0 | | |')
    def variant(c):  # SynQ options that differ from the untagged SynQ row
        return {k: v for k, v in c['synq_options'].items() if ref['synq_options'].get(k) != v} if c['finetune'] == 'synq' else {}
    order = {'none': 0, 'kd': 1, 'synq': 2}
    for r in sorted(recs, key=lambda r: (-r['config']['w_bits'], r['config']['train_data'] != 'synthetic',
                                         order.get(r['config']['finetune'], 9), len(variant(r['config'])))):
        c = r['config']; b = (c['w_bits'], c['a_bits']); diff = variant(c)
        data = '-' if c['finetune'] == 'none' else (f"{c['k']} real/class" if c['train_data'] == 'fewshot' else f"{c['synth_n']} synthetic")
        best = f"{r['top1_best_epoch']:.2f}" if r['top1_best_epoch'] is not None else ''
        pd_ = f"{paper[b]:.2f}" if c['finetune'] == 'synq' and c['train_data'] == 'synthetic' and b in paper and not diff else ''
        name = label.get(c['finetune'], c['finetune'])
        if diff and not c['synq_options'].get('d0') and not c['synq_options'].get('lambda_ce') and not c['synq_options'].get('lambda_cam'):
            name, diff = 'KD + HAST terms', {k: v for k, v in diff.items() if k in ('lam_fa', 'lambda_pert')}  # none of SynQ's ideas
        extras = f" ({', '.join(f'{k} {v:g}' for k, v in diff.items())})" if diff else ''
        lines.append(f"| W{b[0]}A{b[1]} | {name}{extras} | {data} | {r['top1']:.2f} | {r['top1_drop']:.2f} | {pd_} | {best} |")
    c = ref
    commits = sorted({r['versions'].get('git_commit') or '?' for r in recs})
    lines += ['', f"Teacher: option-A ResNet-20 (`resnet20-12fca82f.th`), evaluated on the 10,000 CIFAR-10 test images re-encoded as JPEG "
              f"(FP {fp:.2f} % here against 91.78 % on the lossless test set: compare rows relatively, not with the paper's absolute numbers). "
              f"Synthetic set: {c['synth_n']} images, method `{c['synth_method']}`, {c['synth_steps']} Adam steps per batch of {c['synth_bs']}. "
              f"Zero-shot fine-tuning: {c['epochs']} epochs of {c['synth_n'] // c['bs']} steps, batch {c['bs']}, SGD Nesterov lr {c['lr']} ({c['sched']}), "
              f"SynQ options {c['synq_options']} (rows marked with other values differ only there; lam_fa 1000 with lambda_pert 1 are the authors' code's HAST terms). "
              f"Few-shot rows: k real images per class from the first 50 of the train split, 100 epochs of 2 steps, batch 50, no filter on real images. "
              f"Activation ranges calibrated on Gaussian noise ({c['calib_batches']} batches of {c['calib_bs']}). Seed {c['seed']}; one seed, "
              f"so about ±0.4 point is noise. Accuracy is the final epoch's; the best-epoch column is selection on the test set, shown only "
              f"for comparison with the authors' reporting. Device: {recs[-1]['device']} (2 cores, shared); code: commits {', '.join(commits)} (each record names its own)."]
    (out/'table.md').write_text('\n'.join(lines) + '\n')
    print('\n'.join(lines))

if a.table_only: write_table(Path(a.out)); sys.exit()
if a.threads: torch.set_num_threads(a.threads)
if a.fewshot_k:  # SaFT: k real images per class instead of synthetic ones (never low-pass filtered)
    common.update(train_data='fewshot', k=a.fewshot_k, train_split='train-50')
    a.tag = f"_fewshot{a.fewshot_k}{a.tag}"
out = Path(a.out)
for b in a.bits:
    for ft in a.rows:
        t = time.time()
        r = run(out, name=f"cifar10_resnet20a_w{b}a{b}_{ft}{a.tag}_seed{a.seed}", w_bits=b, a_bits=b, finetune=ft, **common)
        print(f"W{b}A{b} {ft:14s} FP {r['fp']['top1']:.2f}  RTN {r['rtn']['top1']:.2f}  final {r['top1']:.2f} "
              f"(drop {r['top1_drop']:.2f})  [{time.time() - t:.0f} s]", flush=True)
write_table(out)

#!/usr/bin/env python
"""Wall time of the quickstart notebook in its default configuration, from an empty cache, as a user runs it.

    python benchmarks/quickstart_wall.py [--threads 1] [--keep DIR] [-p NAME VALUE ...]

Runs `papermill nbs/exp_quickstart.ipynb` in a fresh temporary folder with a fresh `SAFT_NB_CACHE` (so the digits teacher is
trained, the synthetic sets are made and every row is fine-tuned), then prints the total wall time and the time of each stage
read from the run records (synthesis, calibration, fine-tuning). The target is at most 5 minutes on a 2-core CPU. Timings on a
shared machine are noisy: run it when the machine is otherwise idle, and compare ratios measured in one session.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--threads', type=int, default=1, help='the notebook\'s `threads` parameter (torch CPU threads)')
    ap.add_argument('--keep', default=None, help='folder to keep the executed notebook and records in (default: a temporary one)')
    ap.add_argument('-p', nargs=2, action='append', default=[], metavar=('NAME', 'VALUE'), help='more papermill parameters')
    a = ap.parse_args()
    nb = Path(__file__).resolve().parents[1]/'nbs'/'exp_quickstart.ipynb'
    work = Path(a.keep or tempfile.mkdtemp(prefix='quickstart_wall_')); work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, SAFT_NB_CACHE=str(work/'cache'), OMP_NUM_THREADS=str(a.threads))
    params = [x for k, v in [('threads', str(a.threads)), *a.p] for x in ('-p', k, v)]
    cmd = [sys.executable, '-m', 'papermill', str(nb), str(work/'exp_quickstart.ipynb'), '--cwd', str(work), '--no-progress-bar', *params]
    t0 = time.time(); r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.time() - t0
    if r.returncode: sys.exit(f"the quickstart failed after {wall:.0f} s:\n{r.stderr[-3000:]}")
    recs = [json.loads(p.read_text()) for p in sorted((work/'runs'/'quickstart').glob('*.json'))]
    stages = {}
    for r in recs:
        for k, v in r['seconds'].items(): stages[k] = stages.get(k, 0.) + v
    print(f"quickstart, default configuration, empty cache, {a.threads} thread(s), {os.cpu_count()} CPUs: {wall:.0f} s wall "
          f"({wall / 60:.1f} min; target <= 5 min) for {len(recs)} rows")
    print('  stages summed over rows (s): ' + ', '.join(f"{k} {v:.0f}" for k, v in stages.items()))
    print(f"  executed notebook: {work/'exp_quickstart.ipynb'}")

if __name__ == '__main__': sys.exit(main())

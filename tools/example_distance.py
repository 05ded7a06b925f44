"""How far each public export of a library notebook is from its first example or test, in cells.

For every public name a `#| export` cell defines (functions, classes and module-level names without a leading underscore), the
distance is the number of cells from that export cell to the first later cell that is not an export cell and uses the name
(1: the very next cell; a markdown cell in between makes it 2). Names never used again count as missing. Prints one line per
notebook (median, worst, the names without any example) and, with --max N, exits 1 when a notebook's median exceeds N.

    python tools/example_distance.py [--max 2] [--verbose] [nbs/00_quant.ipynb ...]
"""
import argparse, ast, json, re, statistics, sys
from pathlib import Path

def cells(path):
    nb = json.loads(Path(path).read_text())
    return [(c['cell_type'], ''.join(c['source'])) for c in nb['cells']]

def is_export(kind, src): return kind == 'code' and re.match(r'\s*#\|\s*export\b', src) is not None

def public_names(src):
    "Top-level public names defined by a cell's source."
    try: tree = ast.parse(src)
    except SyntaxError: return []
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): out.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                if isinstance(t, ast.Name): out.append(t.id)
    return [n for n in out if not n.startswith('_')]

def distances(path):
    "{name: distance in cells, or None when no later cell uses it}."
    cs, out = cells(path), {}
    for i, (kind, src) in enumerate(cs):
        if not is_export(kind, src): continue
        for name in public_names(src):
            pat = re.compile(rf'(?<![\w.]){re.escape(name)}\b')
            out[name] = next((j - i for j in range(i + 1, len(cs)) if not is_export(*cs[j]) and pat.search(cs[j][1])), None)
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='*', help='default: nbs/[0-9]*.ipynb')
    ap.add_argument('--max', type=float, default=None, help='exit 1 when a notebook median exceeds this')
    ap.add_argument('--verbose', action='store_true', help='print every name and its distance')
    a = ap.parse_args()
    paths = a.notebooks or sorted(Path(__file__).resolve().parents[1].glob('nbs/[0-9]*.ipynb'))
    worst = 0.
    print(f"{'notebook':<22} {'exports':>7} {'median':>6} {'max':>4}  without example")
    for p in paths:
        d = distances(p)
        if not d: continue
        found = [v for v in d.values() if v is not None]
        missing = sorted(k for k, v in d.items() if v is None)
        med = statistics.median([v if v is not None else 99 for v in d.values()])
        worst = max(worst, med)
        print(f"{Path(p).name:<22} {len(d):>7} {med:>6g} {max(found, default=0):>4}  {', '.join(missing) or '-'}")
        if a.verbose:
            for k, v in sorted(d.items(), key=lambda kv: (kv[1] is None, kv[1])): print(f"    {k}: {v}")
    if a.max is not None and worst > a.max:
        print(f"FAIL: a notebook's median distance from an export to its first example is {worst:g} cells (> {a.max:g})")
        sys.exit(1)

if __name__ == '__main__': main()

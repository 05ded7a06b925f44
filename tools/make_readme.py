"""Write README.md from nbs/index.ipynb without quarto (nbdev's `nbdev-readme` needs quarto).

Markdown cells are copied; code cells are shown as ```python blocks with their text outputs, except cells
flagged `#| hide`; nbdev directive lines (`#| ...`) are dropped. Two placeholders in markdown cells bring in measured
numbers, so that the README shows what was run rather than a copy of it:

    <!-- include: results/real_cifar10/table.md -->         the file's text (paths from the repository root)
    <!-- output: nbs/exp_quickstart.ipynb readme -->        the committed text output of that notebook's cells tagged `readme`

`--check` exits 1 when README.md is stale (also when an included file or output changed).
"""
import argparse, re, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]

def text_outputs(cell):
    outs = [o.get('text') or o.get('data', {}).get('text/plain', '') for o in cell.get('outputs', [])]
    return ''.join(o if isinstance(o, str) else ''.join(o) for o in outs).strip()

def include(m):
    kind, arg = m[1], m[2].split()
    path = ROOT / arg[0]
    if not path.exists(): sys.exit(f"README placeholder {m[0]!r}: {path} does not exist")
    if kind == 'include': return path.read_text().strip()
    tag = arg[1] if len(arg) > 1 else 'readme'
    cells = [c for c in nbformat.read(path, as_version=4).cells if tag in c.get('metadata', {}).get('tags', [])]
    txt = '\n\n'.join(text_outputs(c) for c in cells).strip()
    if not txt: sys.exit(f"README placeholder {m[0]!r}: no cell tagged {tag!r} with output in {path}: run the notebook and commit it")
    return txt

PLACEHOLDER = re.compile(r'<!--\s*(include|output):\s*(.+?)\s*-->')

def cell_md(cell):
    lines = cell.source.splitlines()
    if cell.cell_type == 'markdown': return PLACEHOLDER.sub(include, cell.source.strip())
    if cell.cell_type != 'code' or any(l.strip().replace(' ', '') in ('#|hide', '#|exporti', '#|export') for l in lines): return ''
    code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
    outs = text_outputs(cell)
    return f"```python\n{code}\n```" + (f"\n\n```\n{outs}\n```" if outs else '') if code else ''

def render(nb_path=ROOT / 'nbs' / 'index.ipynb'):
    nb = nbformat.read(nb_path, as_version=4)
    body = '\n\n'.join(t for t in map(cell_md, nb.cells) if t)
    return f"<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n{body}\n"

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('--check', action='store_true', help='exit 1 if README.md differs from what nbs/index.ipynb gives')
    a = ap.parse_args()
    txt, readme = render(), ROOT / 'README.md'
    if a.check:
        if not readme.exists() or readme.read_text() != txt:
            sys.exit('README.md is stale: run `python tools/make_readme.py` and commit README.md')
        print('README.md matches nbs/index.ipynb')
    else:
        readme.write_text(txt); print(f'wrote {readme}')

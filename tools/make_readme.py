"""Write README.md from nbs/index.ipynb without quarto (nbdev's `nbdev-readme` needs quarto).

Markdown cells are copied; code cells are shown as ```python blocks with their text outputs, except cells
flagged `#| hide`; nbdev directive lines (`#| ...`) are dropped. `--check` exits 1 when README.md is stale.
"""
import argparse, sys
from pathlib import Path
import nbformat

ROOT = Path(__file__).resolve().parents[1]

def cell_md(cell):
    lines = cell.source.splitlines()
    if cell.cell_type == 'markdown': return cell.source.strip()
    if cell.cell_type != 'code' or any(l.strip().replace(' ', '') in ('#|hide', '#|exporti', '#|export') for l in lines): return ''
    code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
    outs = [o.get('text') or o.get('data', {}).get('text/plain', '') for o in cell.get('outputs', [])]
    outs = ''.join(o if isinstance(o, str) else ''.join(o) for o in outs).strip()
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

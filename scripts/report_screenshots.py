"""Write docs/report_<notebook>.png: the top of each report as a browser shows it at A4 width.

Run after `make report` (the README shows these pictures):

    .venv/bin/python scripts/report_screenshots.py outputs/qiannan_2011

Each picture is the first 1,100 CSS pixels of the report page (title, summary, key figures and
the first table or chart), taken by headless Chromium (model/report/pdf.py).
"""
import sys
from pathlib import Path

from model.report.pdf import screenshot
from model.report.runner import NOTEBOOKS

ROOT = Path(__file__).resolve().parent.parent


def main(folder: str) -> int:
    done = 0
    for name in NOTEBOOKS:
        page = Path(folder) / name / "report.html"
        if not page.is_file():
            print(f"skipped {name}: no {page}", file=sys.stderr)
            continue
        out = screenshot(page, ROOT / "docs" / f"report_{name}.png", height_px=1100, scale=1)
        print(f"wrote {out.relative_to(ROOT)}")
        done += 1
    return 0 if done else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report_screenshots.py OUT/<scenario>  (e.g. outputs/qiannan_2011)")
    sys.exit(main(sys.argv[1]))

"""The semiannual CTC report: build, HTML and PDF times per language on the demo register.

The demo register is ``generate_register(0)`` (about 40 recipients, 10 donors, 300 projects,
200 needs). Each row builds the report once and renders it to HTML and to a PDF (WeasyPrint);
the figure to compare is the total against the issue's target of 15 s per report. PDF time is
mostly font subsetting of Noto Sans CJK: with the system's HarfBuzz-Subset library (Debian
``libharfbuzz-subset0``) it takes about a second, with WeasyPrint's fontTools fallback several.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cthub.coordination import report
from cthub.coordination.generator import generate_register

TARGET_S = 15.0
PERIOD = "2026H1"


def _harfbuzz_subset() -> bool:
    from weasyprint.text.ffi import harfbuzz_subset

    return bool(harfbuzz_subset)


def run(lang: str) -> dict[str, float]:
    """Times (s) of one report in ``lang``: build, HTML, PDF, total; pages and PDF size (KB)."""
    t0 = time.perf_counter()
    register = generate_register(0)
    data = report.build_report(register, PERIOD)
    t1 = time.perf_counter()
    report.render_html(data, lang)
    t2 = time.perf_counter()
    pdf = report.render_pdf(data, lang)
    t3 = time.perf_counter()
    return {
        "build s": t1 - t0,
        "html s": t2 - t1,
        "pdf s": t3 - t2,
        "total s": t3 - t0,
        "pages": float(len(PdfReader(io.BytesIO(pdf)).pages)),
        "pdf KB": len(pdf) / 1024,
    }


def main() -> None:
    rows = [(lang, run(lang)) for lang in ("en", "zh_Hans", "en", "zh_Hans")]
    cols = list(rows[0][1])
    print(f"{'report':<14}" + "".join(f"{c:>10}" for c in cols) + f"{'target':>10}")
    for index, (lang, vals) in enumerate(rows):
        name = f"{lang} ({'cold' if index < 2 else 'warm'})"
        verdict = "ok" if vals["total s"] < TARGET_S else "SLOW"
        cells = "".join(f"{vals[c]:>10.0f}" if c in ("pages", "pdf KB") else f"{vals[c]:>10.2f}"
                        for c in cols)  # fmt: skip
        print(f"{name:<14}{cells}{verdict:>10}")
    register = generate_register(0)
    print(
        f"(demo register: {len(register.projects)} projects, {len(register.needs)} needs, "
        f"period {PERIOD}; target < {TARGET_S:.0f} s per report; HarfBuzz-Subset "
        f"{'in use' if _harfbuzz_subset() else 'missing: fontTools fallback'})"
    )


if __name__ == "__main__":
    main()

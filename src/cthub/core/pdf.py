"""HTML to PDF for every report: WeasyPrint, loading nothing from outside the document."""

from __future__ import annotations

from typing import Any


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the report loads nothing from outside (asked for {url[:80]})")


def html_to_pdf(html: str) -> bytes:
    """An A4 PDF printed from one self-contained HTML document (styles and SVG inline)."""
    from weasyprint import HTML  # heavy; only for PDFs

    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf


__all__ = ["html_to_pdf"]

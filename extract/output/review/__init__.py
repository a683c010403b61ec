"""The review page: one offline HTML file to check a run's values against their sources.

from extract.output.review import write_review
write_review(Path("out/invoices.parquet"))   # -> out/invoices.review.html
"""

from __future__ import annotations

from pathlib import Path

from extract.errors import ConfigError
from extract.output.review.gather import gather
from extract.output.review.html import render_page
from extract.output.review.images import IMAGE_CHOICES, pages_to_render, render_pages

__all__ = ["IMAGE_CHOICES", "review_path", "write_review"]


def _find_source(source: str, out: Path) -> Path | None:
    """The source file as the run named it, or relative to the table (a moved output folder)."""
    for path in (Path(source), out.parent / source, out.parent / Path(source).name):
        if path.is_file():
            return path
    return None


def review_path(out: Path) -> Path:
    """Beside the main table, or inside a dataset's folder."""
    return out / "review.html" if out.is_dir() else out.with_name(f"{out.stem}.review.html")


def write_review(
    out: Path,
    html_path: Path | None = None,
    *,
    images: str = "quoted",
    image_width: int = 800,
    low_confidence: float = 0.5,
) -> Path:
    """Write the review page for the run whose main table is `out`; return its path."""
    if images not in IMAGE_CHOICES:
        raise ConfigError(f"images must be one of {', '.join(IMAGE_CHOICES)}, not {images!r}")
    if not 100 <= image_width <= 4000:
        raise ConfigError(f"image width must be 100..4000 pixels, not {image_width}")
    data = gather(out, low_confidence=low_confidence)
    if images != "none":
        for entry, detail, (source, sizes) in zip(
            data.index, data.details, data.sources, strict=True
        ):
            if not sizes:  # not a PDF or image, or its text was not kept: nowhere to draw boxes
                continue
            wanted = pages_to_render(images, len(sizes), detail["values"])
            found = _find_source(source, out)
            rendered = render_pages(found, wanted, image_width) if wanted and found else {}
            detail["images"] = {str(p): {"src": src} for p, src in rendered.items()}
            entry["images"] = len(rendered)
    target = html_path or review_path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render_page(data.meta["title"], data.meta, data.index, data.details)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return target

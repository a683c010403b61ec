"""Generated scans for tests and sample_docs/: text rendered to a page image, optionally
turned a little, speckled and blurred like a real scan, then saved as an image file or an
image-only PDF. Deterministic: same arguments, same pixels (Pillow's bundled font).

    img = scanned_page(["INVOICE No. 42", "Total: 9.00"], rotate=0.8, noise=0.04, blur=0.6)
    image_pdf(tmp_path / "scan.pdf", [img])
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

# text_pdf_bytes: a text-layer PDF (Helvetica), for the mixed text-and-scan PDFs
from tests.make_sample_docs import pdf_file
from tests.make_sample_docs import text_pdf_bytes as text_pdf_bytes

A4_150DPI = (1240, 1754)


def scanned_page(
    lines: list[str],
    size: tuple[int, int] = A4_150DPI,
    *,
    font_size: int = 28,
    margin: int = 110,
    rotate: float = 0.0,
    noise: float = 0.0,
    blur: float = 0.0,
    seed: int = 0,
) -> Image.Image:
    """A grayscale page showing `lines`, one per row, as a scanner would see it."""
    font = ImageFont.load_default(size=font_size)
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    step = int(font_size * 1.6)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, fill=20, font=font)
    if rotate:
        page = page.rotate(rotate, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        rng = random.Random(seed)
        pixels = page.load()
        w, h = page.size
        for _ in range(int(w * h * noise)):
            x, y = rng.randrange(w), rng.randrange(h)
            pixels[x, y] = rng.choice((90, 140, 200, 235))
    return page


def image_pdf(path: Path, pages: list[Image.Image], dpi: int = 150) -> Path:
    """An image-only PDF, one page per image (no text layer at all)."""
    first, rest = pages[0], pages[1:]
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path


def image_pdf_bytes(pages: list[Image.Image], dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    pages[0].save(buf, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    return buf.getvalue()


def mixed_pdf(path: Path, text_pdf: bytes, scans: list[Image.Image]) -> Path:
    """The pages of `text_pdf` followed by image-only pages."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in (text_pdf, image_pdf_bytes(scans)):
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    with path.open("wb") as f:
        writer.write(f)
    return path


def many_images_pdf(path: Path, n: int) -> Path:
    """One Letter page holding `n` tiny images (4x4 px, 20x20 pt), each its own XObject."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"]
    first_image = 5
    names = " ".join(f"/Im{i} {first_image + i} 0 R" for i in range(n))
    objects.append(
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        f"/Resources << /XObject << {names} >> >> /Contents 4 0 R >>".encode()
    )
    ops = []
    for i in range(n):
        x, y = 20 + (i % 25) * 23, 20 + (i // 25) * 37
        ops.append(f"q 20 0 0 20 {x} {y} cm /Im{i} Do Q")
    stream = "\n".join(ops).encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    for i in range(n):
        pixels = bytes((i * 7 + k * 13) % 256 for k in range(16))
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length 16 >>\nstream\n" + pixels + b"\nendstream"
        )
    path.write_bytes(pdf_file(objects))
    return path

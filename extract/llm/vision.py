"""Page images for a model that reads them (Mistral Small 3.1 and other vision models).

The contract (Mistral's vision docs, see `../shared/reference/vision_and_ocr.md`):
images go as `image_url` content parts holding base64 data URLs (PNG, JPEG,
WEBP, GIF), at most `MAX_IMAGES` per request and `MAX_REQUEST_BYTES` in all;
anything over 1540 px is downscaled by the provider, so we send at most
`MAX_SIDE` and pay for no pixel twice. An image costs (columns + 1) x rows
tokens of 28-px tiles, counted exactly by mistral-common's `ImageEncoder` with
the 2503 model's image settings.

A page image sits in the document text as its marker line (`[image of page
3]`), so the chunker keeps a page and its image together and counts the
image's tokens with the text around it (`counter()`).
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from extract.ingest.images import bounded

MAX_SIDE = 1540
MAX_IMAGES = 8
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # images of one request, as sent (base64)
MAX_IMAGE_BYTES = MAX_REQUEST_BYTES // 2
JPEG_QUALITY = 85
MARKER = "[image of page {page}]"
_MARKER_RE = re.compile(r"\[image of page (\d+)\]")
_HEADER_CHARS = 4096  # base64 characters decoded to read an image's size
TOO_MANY = 10**9  # the token count of a span that breaks the image limits: never fits

IMAGE_REFUSED_STATUSES = frozenset({400, 413, 415, 422})


@dataclass(frozen=True)
class PageImageRef:
    """One page image as it will be sent."""

    page: int  # 1-based
    width: int
    height: int
    tokens: int
    data_url: str = field(repr=False)
    has_text: bool = False  # the page's OCR or text layer is sent too (values can be checked)

    @property
    def marker(self) -> str:
        return MARKER.format(page=self.page)

    @property
    def n_bytes(self) -> int:
        return len(self.data_url)

    def part(self) -> dict[str, Any]:
        return {"type": "image_url", "image_url": {"url": self.data_url}}


@functools.cache
def _encoder() -> Any:
    from mistral_common.tokens.tokenizers.image import ImageConfig, ImageEncoder, SpecialImageIDs

    config = ImageConfig(image_patch_size=14, max_image_size=MAX_SIDE, spatial_merge_size=2)
    return ImageEncoder(config, SpecialImageIDs(img=10, img_break=12, img_end=13))


@functools.lru_cache(maxsize=1024)
def image_tokens(width: int, height: int) -> int:
    """Tokens of a width x height image for Mistral Small 3.1, as mistral-common counts them."""
    cols, rows = _encoder()._image_to_num_tokens(Image.new("1", (width, height)))
    return (cols + 1) * rows


def encode_page(img: Image.Image, index: int) -> PageImageRef:
    """A page image scaled to at most 1540 px: grayscale PNG for pages, JPEG for photos."""
    img = bounded(img, MAX_SIDE)
    data, mime = _encode(img)
    if len(data) * 4 // 3 > MAX_IMAGE_BYTES:  # a noisy photo: lower quality, then smaller
        for quality, side in ((70, MAX_SIDE), (60, 1100), (50, 800)):
            img = bounded(img, side)
            data, mime = _jpeg(img, quality), "image/jpeg"
            if len(data) * 4 // 3 <= MAX_IMAGE_BYTES:
                break
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    w, h = img.size
    return PageImageRef(page=index + 1, width=w, height=h, tokens=image_tokens(w, h), data_url=url)


def _encode(img: Image.Image) -> tuple[bytes, str]:
    if img.mode == "L":
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=False, compress_level=6)
        return buf.getvalue(), "image/png"
    return _jpeg(img, JPEG_QUALITY), "image/jpeg"


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB" if img.mode != "L" else "L").save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def images_in(text: str, images: tuple[PageImageRef, ...]) -> list[PageImageRef]:
    """The page images whose markers stand in `text`, in order."""
    if not images:
        return []
    by_page = {ref.page: ref for ref in images}
    return [
        by_page[int(m.group(1))] for m in _MARKER_RE.finditer(text) if int(m.group(1)) in by_page
    ]


def counter(count: Callable[[str], int], images: tuple[PageImageRef, ...]) -> Callable[[str], int]:
    """`count` plus the tokens of the images marked in the text; a span breaking the
    request limits (8 images, 10 MB) counts as `TOO_MANY`, so the chunker splits it."""
    if not images:
        return count

    def with_images(text: str) -> int:
        refs = images_in(text, images)
        if len(refs) > MAX_IMAGES or sum(r.n_bytes for r in refs) > MAX_REQUEST_BYTES:
            return TOO_MANY
        return count(text) + sum(r.tokens for r in refs)

    return with_images


def user_content(text: str, images: tuple[PageImageRef, ...]) -> str | list[dict[str, Any]]:
    """The user message: plain text, or text followed by the images it marks."""
    refs = images_in(text, images)
    if not refs:
        return text
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}]
    for ref in refs:
        parts.append({"type": "text", "text": ref.marker})
        parts.append(ref.part())
    return parts


def content_tokens(content: Any, count: Callable[[str], int]) -> int:
    """Tokens of a message's content as the model sees it: its text by `count`, each image
    at its mistral-common count. An image's base64 is never counted as text: a noisy scan
    would count as 660,000 tokens instead of 2,200 (and take a second to count)."""
    if not isinstance(content, list):
        return count(str(content or ""))
    text = images = 0
    for part in content:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "image_url":
            url = part.get("image_url")
            images += url_tokens(url.get("url", "") if isinstance(url, dict) else str(url))
        else:
            text += count(str(part.get("text") or ""))
    return text + images


def url_tokens(url: str) -> int:
    """Tokens of an image sent as a data URL, from the size in its header (only the first
    bytes are decoded); one whose size cannot be read counts as the dearest image."""
    _, _, payload = url.partition(",")
    for head in (payload[:_HEADER_CHARS], payload):  # PNG's and our JPEGs' sizes come early
        try:
            with Image.open(io.BytesIO(base64.b64decode(head[: len(head) // 4 * 4]))) as img:
                return image_tokens(*img.size)
        except (ValueError, OSError, SyntaxError, Image.DecompressionBombError):
            continue
    return image_tokens(MAX_SIDE, MAX_SIDE)


def image_refusal(status: int | None, message: str) -> bool:
    """Whether a provider error says the model does not take images."""
    if status not in IMAGE_REFUSED_STATUSES:
        return False
    text = message.lower()
    return any(word in text for word in ("image", "vision", "multimodal", "image_url"))

"""The README's screenshot of the review page, from the same real run the tests use.

python -m tests.output.review_screenshot docs/review.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from selenium.webdriver.common.by import By

from extract.output.review import write_review
from tests.browser import chromium
from tests.output.review_run import make_run


def main(target: str = "docs/review.png") -> int:
    with tempfile.TemporaryDirectory() as folder, chromium() as driver:
        page = write_review(make_run(Path(folder)))
        driver.set_window_size(1280, 860)
        driver.get(page.as_uri())
        for li in driver.find_elements(By.CSS_SELECTOR, "#doc-list li"):
            if "northwind" in li.text:
                li.click()
                break
        for node in driver.find_elements(By.CSS_SELECTOR, "#fields .value"):
            if node.text.startswith("Delivery"):
                node.click()
                break
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(target)
    _to_palette(Path(target))
    print(target)
    return 0


def _to_palette(path: Path) -> None:
    """256 colours are plenty for a UI screenshot and keep the README's PNG small."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))

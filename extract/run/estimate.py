"""What a run would send and cost, counted locally, without sending anything (`--dry-run`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from extract.errors import DocumentError
from extract.ingest.documents import Refused, find_inputs, iter_documents
from extract.ingest.scan_route import read_scans
from extract.llm.backends.base import Backend
from extract.llm.pricing import price_for
from extract.llm.prompting import tokens_around_text, user_message
from extract.llm.vision import images_in
from extract.run.core import plan_chunks
from extract.run.services import scan_route
from extract.run.task import Task

TYPICAL_ANSWER_SHARE = 0.25  # answers rarely use their whole max_tokens


@dataclass(frozen=True)
class Estimate:
    documents: int
    unreadable: int
    requests: int
    prompt_tokens: int
    max_completion_tokens: int
    cost_usd: float | None
    max_cost_usd: float | None
    image_tokens: int = 0  # part of prompt_tokens: page images, counted by mistral-common
    ocr_pages: int = 0  # scanned pages that OCR would read: their text is not counted

    def describe(self) -> str:
        if self.cost_usd is None:
            cost = "cost unknown (no price for this model)"
        else:
            cost = f"estimated cost ${self.cost_usd:.4f} (at most ${self.max_cost_usd:.4f})"
        scans = ""
        if self.image_tokens:
            scans += f" (of which {self.image_tokens} image tokens)"
        if self.ocr_pages:
            scans += f" ({self.ocr_pages} scanned pages to OCR, their text not counted)"
        return (
            f"{self.documents} documents ({self.unreadable} unreadable or over --max-tokens-per-doc), {self.requests} requests, "
            f"{self.prompt_tokens} prompt tokens{scans}, up to {self.max_completion_tokens} "
            f"completion tokens; {cost}. Re-asks and retries would add to this."
        )


def estimate(
    paths: list[Path], task: Task, backend: Backend, *, skip: Iterable[Path] = ()
) -> Estimate:
    inputs = find_inputs(paths, skip=skip)
    files = [item for item in inputs if not isinstance(item, Refused)]
    requests = prompt = image_tokens = ocr_pages = 0
    unreadable = len(inputs) - len(files)
    route = replace(scan_route(task.config, backend), ocr=None)  # page images yes, OCR no
    for _path, doc in iter_documents(files):
        if isinstance(doc, DocumentError):
            unreadable += 1
            continue
        if route.images:
            try:
                doc = read_scans(doc, route)
            except DocumentError:
                unreadable += 1
                continue
        else:
            ocr_pages += len(doc.scanned)
        try:
            chunks = plan_chunks(doc, task, backend)
        except DocumentError:  # over --max-tokens-per-doc: it would be an error row
            unreadable += 1
            continue
        texts = task.prompt_texts(multi_part=len(chunks) > 1, wire=task.wire(backend))
        around = tokens_around_text(backend, texts, task.strict_schema)
        for chunk in chunks:
            requests += 1
            prompt += around + backend.count_tokens(user_message(chunk, len(chunks)))
            sent = sum(ref.tokens for ref in images_in(chunk.text, doc.images))
            image_tokens += sent
            prompt += sent
    most = requests * task.config.max_tokens
    price = price_for(backend.name, backend.model)
    return Estimate(
        documents=len(inputs),
        unreadable=unreadable,
        requests=requests,
        prompt_tokens=prompt,
        max_completion_tokens=most,
        cost_usd=price.cost(prompt, int(most * TYPICAL_ANSWER_SHARE)) if price else None,
        max_cost_usd=price.cost(prompt, most) if price else None,
        image_tokens=image_tokens,
        ocr_pages=ocr_pages,
    )

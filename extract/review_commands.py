"""Command line for checking a run: `review` writes the page, `apply-corrections` uses it.

python -m extract review out/invoices.parquet            # -> out/invoices.review.html
python -m extract apply-corrections out/invoices.parquet corrections.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REVIEW_EPILOG = """\
The page is one HTML file with everything inline (no server, no network): open it
from disk in any browser. It reads the main table, its child tables, the evidence
table (<stem>.evidence.<ext>) and the texts (<stem>.texts.jsonl.gz) beside OUT;
for a dataset folder (--out DIR/), its tables' folders and DIR/texts/.

keys: j/k next/previous document, n/N next/previous ungrounded value,
v/V next/previous value, t text/page image, x mark wrong, e type the right value,
/ search, ? help. "Download corrections CSV" saves doc_id,field,value,corrected;
then: python -m extract apply-corrections OUT corrections.csv"""


def add_review_commands(sub: argparse._SubParsersAction) -> None:
    review = sub.add_parser(
        "review",
        help="write an offline HTML page to check every value against its source",
        description="Write one self-contained HTML review page for the run whose main "
        "table is OUT (the path given to --out).",
        epilog=REVIEW_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    review.add_argument(
        "out", type=Path, metavar="OUT", help="the run's main table, or its dataset folder (DIR/)"
    )
    review.add_argument(
        "--html", type=Path, help="page to write (default <stem>.review.html beside OUT)"
    )
    review.add_argument(
        "--images",
        choices=["quoted", "all", "none"],
        default="quoted",
        help="PDF page images to embed: pages holding a quote (default), all pages "
        "(up to 50 a document), or none; needs the source PDFs where the run read them",
    )
    review.add_argument(
        "--image-width", type=int, default=800, help="page image width in pixels (default 800)"
    )
    review.add_argument(
        "--low-confidence",
        type=float,
        default=0.5,
        metavar="P",
        help="mark values whose confidence is below P (default 0.5)",
    )
    review.set_defaults(handler=cmd_review)

    fix = sub.add_parser(
        "apply-corrections",
        help="write corrected tables from a review page's corrections CSV",
        description="Apply CORRECTIONS (doc_id,field,value,corrected; an empty corrected "
        "empties the value) to the run whose main table is OUT. Corrected tables go beside "
        "the originals as <stem>.corrected.<ext> (children <stem>.corrected.<field>.<ext>); "
        "the originals are kept. A row whose value no longer matches the table is skipped "
        "and reported (exit code 1).",
    )
    fix.add_argument("out", type=Path, metavar="OUT", help="the run's main table")
    fix.add_argument("corrections", type=Path, metavar="CORRECTIONS", help="corrections CSV")
    fix.set_defaults(handler=cmd_apply_corrections)


def cmd_review(args: argparse.Namespace) -> int:
    from extract.output.review import write_review

    path = write_review(
        args.out,
        args.html,
        images=args.images,
        image_width=args.image_width,
        low_confidence=args.low_confidence,
    )
    print(path)
    return 0


def cmd_apply_corrections(args: argparse.Namespace) -> int:
    from extract.output.corrections import apply_corrections

    result = apply_corrections(args.out, args.corrections)
    for line in result.skipped:
        print(f"  skipped {line}", file=sys.stderr)
    print(
        f"extract: {result.applied} corrections applied, {len(result.skipped)} skipped",
        file=sys.stderr,
    )
    for path in result.written:
        print(path)
    return 1 if result.skipped else 0

"""Run: one document's chunks asked, split and merged (`core`), many at once (`pool`), with the
services around each call (cache, limits, cost budget, audit) and the dry-run estimate."""

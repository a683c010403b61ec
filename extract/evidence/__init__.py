"""Evidence: is a value in the text it was read from? Grounding, literally or by meaning."""

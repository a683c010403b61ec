"""LLM: talking to a model. Prompts, the strict schema, answer validation, retries, prices, backends."""

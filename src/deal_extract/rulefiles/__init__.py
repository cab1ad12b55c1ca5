"""The rule files of patterns/: their schemas, loading and validation, the parsed cache, safe YAML
and the regular-expression check."""

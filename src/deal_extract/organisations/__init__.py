"""Organisations: entity repair, resolution into the article's organisations, grouping of mentions,
countries, the curated list, tickers and places."""

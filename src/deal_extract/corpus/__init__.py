"""The corpus: records across articles, who is who (identity), the SQLite deal database and the
files a batch writes."""

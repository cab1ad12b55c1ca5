"""Running over many articles: the batch, local and Dask engines, locks, time limits, timing and
progress."""

"""Evaluation and review: gold files, the scorer, the evaluate command's engine and the HTML report."""

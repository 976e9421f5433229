"""Grading hand solutions: claims files, verdicts, the mistakes and their search."""

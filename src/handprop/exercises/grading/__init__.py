"""Grading a class (``handprop exercise grade``): one concept per module.

- :mod:`.answers`: reading ``ANSWERS.csv`` (a row per student), bad rows with their lines;
- :mod:`.marks`: the marking scheme (marks per quantity, what each verdict earns);
- :mod:`.grade`: each student's answers checked against their variant;
- :mod:`.gradebook`: ``marks.csv`` for an LMS gradebook;
- :mod:`.report`: a report per student (HTML and PDF);
- :mod:`.summary`: the class summary page (common mistakes, where they enter, the marks);
- :mod:`.outputs`: every output file by name (safe file names) and the folder written whole.
"""

"""Exercises for teachers: variants of a network with nice numbers, their sheets and keys.

One concept per module:

- :mod:`.policy`: the rounding policy an exercise states, and the answers it gives;
- :mod:`.asking`: the quantities a sheet asks for (``--ask forward,loss,w5``), as ids;
- :mod:`.nice`: the rules a variant must meet (what a teacher would choose);
- :mod:`.generate`: the generator: variants drawn from a seed, each verified and nice;
- :mod:`.setfile`: the set on disk (``set.json``, one folder per variant): the contract
  (docs/exercises.md);
- :mod:`.drawing`: the network drawn with its given numbers (SVG and Typst);
- :mod:`.sheet`, :mod:`.key`, :mod:`.solvepage`: the worksheet, the answer key and the
  "solve it yourself" page, in their formats;
- :mod:`.build`: a whole set written to a folder.
- :mod:`.lms`: the set for an LMS: Moodle XML (numerical, Cloze), GIFT, Canvas QTI 1.2;
- :mod:`.grading`: a class's answers graded by the checker, with carried credit: marks,
  reports, the class summary.
"""

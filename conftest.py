"""pytest's configuration for the whole repository: loaded for ``pytest tests`` and for
``pytest --nbmake chapters`` alike (``tests/conftest.py`` holds the unit tests' fixtures).

The chapters run strict under pytest, as in the book's build: a claim that depends on the machine
(a time, a ratio of times: :func:`digitcourse.book.claim`) fails the test instead of printing a
note. The kernels nbmake starts inherit this process's environment. To run a chapter as a reader's
run would, set ``DIGITCOURSE_STRICT=0``.
"""

import os

os.environ.setdefault("DIGITCOURSE_STRICT", "1")

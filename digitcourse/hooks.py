"""Run code of ours around the first import of a given module: the mechanism behind
:mod:`digitcourse.quiet` (TensorFlow's start-up log) and :mod:`digitcourse.pipeline` (Keras' input pipeline).

:func:`on_first_import` puts a finder at the front of ``sys.meta_path``. When Python next imports that
module, the finder removes itself, finds the module as Python would (``PathFinder``), and gives it a
loader that executes it through our function, which may wrap the execution (in a context manager) or
work on the module afterwards. Nothing is imported here.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys


class _Loader(importlib.abc.Loader):
    """The real loader, whose ``exec_module`` runs as ``run(exec_module, module)``."""

    def __init__(self, loader, run):
        self._loader, self._run = loader, run

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._run(self._loader.exec_module, module)

    def __getattr__(self, name):  # resource readers and the like: the real loader's
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the module ``fullname`` as Python would, once, and gives it a :class:`_Loader`."""

    def __init__(self, fullname, run):
        self.fullname, self.run = fullname, run

    def find_spec(self, fullname, path, target=None):
        if fullname != self.fullname:
            return None
        remove(fullname)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self.run)
        return spec


def on_first_import(fullname: str, run) -> None:
    """Have the next import of module ``fullname`` execute it as ``run(exec_module, module)``, where
    ``exec_module(module)`` executes it as Python would. No effect if the module is already imported
    or a hook for it is waiting, so it is safe to call repeatedly."""
    if fullname in sys.modules or any(isinstance(f, _Finder) and f.fullname == fullname for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder(fullname, run))


def remove(fullname: str) -> None:
    """Remove the waiting hook for module ``fullname``, if any."""
    sys.meta_path[:] = [f for f in sys.meta_path if not (isinstance(f, _Finder) and f.fullname == fullname)]

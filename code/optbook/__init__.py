"""optbook: the code of the interactive textbook on gradient-based optimizers.

Subpackages and modules:

- :mod:`optbook.optimizers` -- every optimizer of the book, one small class each;
- :mod:`optbook.functions` -- the standard test surfaces with analytic gradients;
- :mod:`optbook.run` -- run an optimizer on a surface, stop cleanly on divergence;
- :mod:`optbook.style` -- one color per optimizer for the whole book;
- :mod:`optbook.plotting` -- contours, trajectories, loss curves, animations;
- :mod:`optbook.explorer` -- ipywidgets explorers with a static fallback;
- :mod:`optbook.data`, :mod:`optbook.models` -- bundled data sets and models
  with hand-written gradients;
- :mod:`optbook.newton` -- Newton's method, for exact minima to measure against.
"""

__version__ = "0.1.0"

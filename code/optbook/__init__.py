"""optbook: the code of the interactive textbook on gradient-based optimizers.

Subpackages and modules:

- :mod:`optbook.optimizers` -- every optimizer of the book, one small class each;
- :mod:`optbook.functions` -- the standard test surfaces with analytic gradients;
- :mod:`optbook.run` -- run an optimizer on a surface, stop cleanly on divergence;
- :mod:`optbook.style` -- one color per optimizer for the whole book;
- :mod:`optbook.plotting` -- contours, trajectories, loss curves, animations;
- :mod:`optbook.explorer` -- ipywidgets explorers with a static fallback;
- :mod:`optbook.data` -- scikit-learn's bundled data sets (seeded splits,
  standardised on the training part) and seeded synthetic generators;
- :mod:`optbook.models` -- linear, logistic and softmax regression and a small
  MLP, with hand-written gradients checked by finite differences;
- :mod:`optbook.train` -- one loop for batch, stochastic and mini-batch descent;
- :mod:`optbook.schedules` -- learning-rate schedules for every optimizer;
- :mod:`optbook.gradient_stats` -- the mini-batch gradient's variance, measured
  and predicted;
- :mod:`optbook.lr_range` -- the learning-rate range test;
- :mod:`optbook.newton` -- Newton's method, for exact minima to measure against.
"""

__version__ = "0.1.0"

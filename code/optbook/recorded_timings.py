"""Recorded timings of one Adam step: naive NumPy class vs the package (chapter 10).

Written by ``python benchmarks/bench_adam_naive.py --write``; not measured when
the chapter runs. Float32, one flat array of n parameters, gradients
~ N(0, 0.01²); each figure is the median of 15 timed steps after
2 warm-up steps. ``TEMPORARY_BYTES`` is the peak memory allocated during one
step (tracemalloc). Before timing, the two Adams agreed to a relative
difference of 7.6e-09 after 3 steps (float32 rounding).

Machine: 2-core CPU (AMD EPYC), shared; load average 6.17 when
measured (other jobs were running, so the figures are indicative).
"""

MACHINE = '2-core CPU (AMD EPYC), shared'
NUMPY_VERSION = '2.4.6'
PYTHON_VERSION = '3.11.7'
DATE = '2026-12-02'
LOAD_AVERAGE = 6.17
CHUNK = 262144
REPEAT = 15

#: name -> {n parameters: median seconds per step}
SECONDS = {
    'naive NumPy Adam': {100000: 0.001765, 1000000: 0.09014, 10000000: 0.3716},
    'optbook Adam': {100000: 0.0002651, 1000000: 0.01429, 10000000: 0.1604},
    'optbook SGD': {100000: 6.083e-05, 1000000: 0.0005756, 10000000: 0.03495},
}

#: name -> {n parameters: peak bytes allocated during one step}
TEMPORARY_BYTES = {
    'naive NumPy Adam': {100000: 2800924, 1000000: 28000924, 10000000: 280000924},
    'optbook Adam': {100000: 1696, 1000000: 1760, 10000000: 1760},
    'optbook SGD': {100000: 1344, 1000000: 1384, 10000000: 1384},
}

"""Test-wide settings.

The optimizers update large arrays in chunks of ``optbook.optimizers.CHUNK``
elements (2**18 by default, chosen by the benchmarks). The tests shrink the
chunk to 2**10 so that arrays of a few thousand elements already cross chunk
boundaries, and every test exercises the chunked path. It is set here, at
import, before any test module reads ``CHUNK``. Chunking never changes a result
(``test_chunk_size_does_not_change_the_result``).
"""

import optbook.optimizers
from optbook.optimizers import _base

TEST_CHUNK = 2**10

_base.CHUNK = TEST_CHUNK
optbook.optimizers.CHUNK = TEST_CHUNK

# Hypothesis: every property test is derandomized (its examples come from a
# fixed seed) and keeps no example database, so that a test run gives the same
# result on every machine and every run. Tests may set other settings; these
# two come from the profile unless a test overrides them.
from hypothesis import settings  # noqa: E402

settings.register_profile("optbook", derandomize=True, database=None)
settings.load_profile("optbook")

"""What every worker process needs before its first task, loaded once by the fork server that starts
the workers (``simulation.workers``), so that each worker is born with it instead of reading it again:
the model's code and the libraries it uses (about 0.9 s of CPU: pandas, SciPy, Mesa, networkx), the
calibration, and the fingerprint of the calibration files and source code that a sweep's workers check.

Only the fork server imports this module; anything else that wants the same can simply call
``load_calibration`` and ``fingerprint`` (both read once per process).
"""

import os

import scenarios  # noqa: F401
import simulation.fan_pool  # noqa: F401
import simulation.model  # noqa: F401
import simulation.runner  # noqa: F401
from simulation.calibration import load_calibration
from simulation.sweeps.plan import fingerprint, run_chunk  # noqa: F401

load_calibration()
fingerprint()
READ_BY_PID = os.getpid()   # the process that read all this: the fork server, in every worker it forked

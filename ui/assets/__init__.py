"""Static files the app serves itself (nothing comes from a CDN).

``plotly-basic.min.js`` is the plotly.js "basic" partial bundle (trace types bar, pie and scatter: all
the app draws), version 4.1.1, the same plotly.js version as the plotly wheel pinned in pyproject.toml.
It is the file ``plotly-basic.min.js`` of the npm package ``plotly.js-basic-dist-min@4.1.1``
(sha256 99784e3abfb07b142a15e521a439e6d9addceadb3f79553fd24c72774f0649ba), MIT licence in
``plotly-LICENSE.txt``. At 1.2 MB against the full bundle's 4.8 MB it loads and starts about a second
sooner on a first visit (``benchmarks/app_speed.py``). When plotly is upgraded, fetch the matching
version (``npm pack plotly.js-basic-dist-min@<version>``) and replace the file; ``tests/test_app_pieces.py``
checks that the versions match and that every chart uses only the bundle's trace types.
"""

from pathlib import Path

PLOTLY_JS = Path(__file__).with_name("plotly-basic.min.js")
PLOTLY_JS_VERSION = "4.1.1"
PLOTLY_TRACE_TYPES = ("bar", "pie", "scatter")    # what the basic bundle can draw

"""Serve without the stored plan's watch on plan inputs (benchmarks only).

`bench_http --plan-inputs alternate` puts this folder first on PYTHONPATH for some runs' server,
so every process of it (uvicorn's workers and the intake writer are spawned, and each imports
`sitecustomize` at start) builds its engine without `watch_plan_inputs`: no transaction adds a
`plan_input_changes` row, which prices that row on order intake.
"""

import importlib

engine = importlib.import_module("pegboard.adapters.db.engine")
vars(engine)["watch_plan_inputs"] = lambda _engine: None

"""The forecasting library, loaded late, is kept out of the garbage collector's full passes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

FIRST_FORECAST = textwrap.dedent(
    """
    import gc
    from datetime import date, timedelta
    from decimal import Decimal

    from pegboard.services import learning

    today = date(2026, 6, 1)
    days = tuple(sorted((today - timedelta(days=i), Decimal(i % 5 + 1)) for i in range(1, 300)))
    gc.freeze()  # what a server keeps at start
    learning._forecast("KETTLE", days, today=today, bucket="week", horizon=8)
    print(len(gc.get_objects()))
    """
)


def test_after_a_process_first_forecast_full_collections_no_longer_walk_the_forecasting_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FORECAST], capture_output=True, text=True, check=True, timeout=300
    )

    # The library alone brings over 100,000 objects; a full pass now walks only a few left.
    assert int(done.stdout.split()[-1]) < 5_000

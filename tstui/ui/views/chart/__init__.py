"""The chart view.

- ``screen``: the chart screen (REST snapshot, then live bars; symbol details beside it).
- ``requests``: what a chart shows (``ChartRequest``) and ``open_chart`` from any screen.
- ``widget``: the chart widget; ``plotting``: every plotext call; ``symbol_panel``.
"""

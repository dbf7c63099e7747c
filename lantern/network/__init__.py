"""Offender networks: graph, groups (Leiden CPM), key actors, hotspots, exports.

``stage`` is the pipeline stage (``run``/``outputs``); ``service`` the read side for the
CLI, API and web; the pure core is ``graph`` -> ``groups``/``actors`` -> ``analysis``.
"""

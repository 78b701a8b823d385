"""Plots (matplotlib). Every function takes ``ax=None`` and returns the Axes.

Submodules: :mod:`runload.plot.weekly` (mileage, ACWR, session spikes),
:mod:`runload.plot.pain` (pain timeline, forest plot, superposed epochs).
"""

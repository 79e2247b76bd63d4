"""Figures: one run, sweeps, sensitivity, the trust network and the story of a run for slides.

Every function takes data and returns the `matplotlib.figure.Figure` (or Axes) it drew, in
the look of `style` (no pyplot, the Okabe-Ito palette). `run` draws a run's monthly series,
`sweep` a sweep's odds and spreads, `sensitivity` SALib's indices, `network` holds the tie
rule and node styles the story and the trainers' page share, and `story` draws one run as a
timeline and a network GIF. matplotlib loads only when a figure module is imported.
"""

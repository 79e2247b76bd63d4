"""Reading a sweep's results: statistics, summaries, the duration answer, sensitivity, the report.

Everything here takes the tidy run table (`pipsim.sweep.results.load_runs`) or an output
directory: `stats` (quantiles, Wilson intervals), `summary` (the tables and figures of any
sweep), `duration` (the shortest project length meeting the log frame), `sensitivity`
(SALib's analysis of a ``[sensitivity]`` sample, how much is noise, which indices to
distrust), `discovery` (under which conditions an outcome happens: PRIM boxes) with `trees`
(a CART tree, extra-trees feature scores), and `report` (one self-contained HTML file of a
result directory).
"""

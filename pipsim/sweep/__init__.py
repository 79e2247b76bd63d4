"""Running sweeps: scenario files → designs and seeds → the runner over any executor → results.

`scenario` reads and validates a TOML scenario file; `design` holds the validated `Scenario`,
its design points (factorial axes, Latin hypercube and SALib samples) and every run's seed;
`runner` runs them in chunks on any `concurrent.futures` executor (`open_engine` makes one),
resumably; `results` is the output directory on disk (Parquet chunks and the manifest).
"""

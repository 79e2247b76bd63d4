"""The trainers' view: a browser page that shows one run (or two, side by side) as it unfolds.

``pipsim viz`` serves it (`pipsim.cli.viz`); `pipsim.viz.app` builds the pages with Mesa's
SolaraViz and `pipsim.viz.components` draws the trust network, the monthly series and the
event log. Solara and its assets come with the optional ``viz`` extra
(``pip install -e '.[viz]'``); importing this package alone needs none of it.
"""

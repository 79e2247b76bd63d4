"""The trainers' view: a browser page that shows one run (or two, overlaid) as it unfolds.

``pipsim viz`` serves it (`pipsim.cli.viz`). `pipsim.viz.app` holds the page's models and
controls, `pipsim.viz.page` lays out the presentation page around Mesa's controller,
`pipsim.viz.components` builds each panel as HTML with `pipsim.viz.draw`, and
`pipsim.viz.designer` is the designer's what-if page (``pipsim viz --designer``). Solara and
its assets come with the optional ``viz`` extra (``pip install -e '.[viz]'``); importing this
package alone needs none of it.
"""

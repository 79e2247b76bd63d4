"""``pipsim viz``: serve the trainers' view in a browser, on this machine by default.

The page itself is `pipsim.viz`'s. The server is Solara's own (a Starlette app under
uvicorn), started in this process with the page of `pipsim.viz.app` as its app: ``Page``
(one run), or ``ComparePage`` with ``--compare`` (two runs side by side). Solara's
JavaScript and fonts are served from the ``solara-assets`` package, so the page needs no
internet; Solara's telemetry and version check are switched off. Ctrl-C (or SIGTERM) stops
the server within a few seconds, even with pages still open.

This module imports neither Solara nor Mesa's visualisation until the command runs, so
``pipsim`` works without the optional ``viz`` extra; ``pipsim viz`` then says how to add it.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys
import threading
import warnings
from typing import Any

from pipsim.cli.common import Subparsers, UsageError
from pipsim.parameters import FIELDS, Parameters
from pipsim.viz import presets

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
GRACEFUL_SHUTDOWN_S = 3  # open pages keep websockets: do not wait for them longer than this
INSTALL_HINT = "install the viz extra: .venv/bin/pip install -e '.[viz]'"


def add(subparsers: Subparsers) -> None:
    """Add ``viz``: serve the page that shows a run month by month (or two side by side)."""
    parser = subparsers.add_parser(
        "viz",
        help="show a run month by month in a browser (for training sessions)",
        description="Serve a page that shows one project as it unfolds: who trusts whom, "
        "trust in the agency and the public sector, participation and what happened, month "
        "by month. Change the settings in the sidebar and press Reset for a new run; Step "
        "and ▶ advance it. Each browser tab has its own run. Stop the server with Ctrl-C.",
        epilog="example: pipsim viz --port 8765, then open http://127.0.0.1:8765/ "
        "(pipsim viz --compare: two runs side by side, the same seed, one setting changed)",
        allow_abbrev=False,
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; 0.0.0.0 "
        "lets the whole network in)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port to listen on (default {DEFAULT_PORT})",
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="two runs side by side with the same seed, run B changing one setting of run A",
    )
    parser.add_argument(
        "--designer",
        action="store_true",
        help="the designer's what-if page: the chance of meeting the log frame against "
        "project length, for your project's settings",
    )
    start = parser.add_argument_group(
        "presets", "the run the page opens with (the sidebar's controls start there)"
    )
    start.add_argument("--seed", type=int, metavar="N", help="random seed (same seed: same firms)")
    start.add_argument("--typology", choices=FIELDS["typology"].metadata["choices"])
    start.add_argument("--months", type=int, metavar="M", help="project length in months")
    for name in ("initial_trust", "staff_turnover", "public_commitment"):
        start.add_argument(f"--{name.replace('_', '-')}", type=float, metavar="X")
    parser.set_defaults(handler=serve)


PRESET_OPTIONS = {  # option's dest -> the page's control
    "seed": "seed",
    "typology": "typology",
    "months": "project_months",
    "initial_trust": "initial_trust",
    "staff_turnover": "staff_turnover",
    "public_commitment": "public_commitment",
}


def preset_values(args: argparse.Namespace) -> dict[str, Any]:
    """The presets given on the command line, checked as the model checks its parameters."""
    values = {
        control: getattr(args, dest)
        for dest, control in PRESET_OPTIONS.items()
        if getattr(args, dest, None) is not None
    }
    model = {k: v for k, v in values.items() if k != "seed"}
    try:
        Parameters(**model)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if values.get("seed", 0) < 0:
        raise UsageError(f"--seed {values['seed']}: a seed is 0 or more")
    return values


def _port(text: str) -> int:
    """A TCP port number from the command line (1-65535)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: give a whole number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: allowed 1 ≤ port ≤ 65535")
    return port


def serve(args: argparse.Namespace) -> int:
    """Serve the page on ``args.host:args.port`` until stopped.

    Returns:
        130 after Ctrl-C (the command line's convention for an interruption), 0 if the server
        stopped otherwise.
    """
    if args.compare and args.designer:
        raise UsageError("choose --compare or --designer, not both")
    chosen = preset_values(args)
    _check_address(args.host, args.port)
    page = "ComparePage" if args.compare else "Page"
    os.environ[presets.ENVIRONMENT] = presets.encode(chosen)
    # Solara reads its settings from the environment when first imported: set them before.
    app = "pipsim.viz.designer:DesignerPage" if args.designer else f"pipsim.viz.app:{page}"
    os.environ["SOLARA_APP"] = app
    os.environ["SOLARA_MODE"] = "production"  # no call home, no reloader
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_TITLE"] = "pipsim"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SOLARA_ASSETS_PROXY"] = "True"  # serve the JavaScript from solara-assets
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401
        import uvicorn
    except ImportError as error:
        raise UsageError(f"pipsim viz needs {error.name}: {INSTALL_HINT}") from error
    import solara.server.settings as solara_settings

    solara_settings.telemetry.mixpanel_enable = False  # even if Solara was imported before
    solara_settings.main.mode = "production"
    # Plain http on this machine is what is meant: Solara's advice for https is noise here.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=args.host,
        port=args.port,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )
    server = uvicorn.Server(config)
    what = "two runs side by side" if args.compare else "one run, month by month"
    what = "the designer's what-if page" if args.designer else what
    print(f"pipsim viz: {what} at http://{_url_host(args.host)}:{args.port}/ (Ctrl-C stops)")
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn stops gracefully, then raises Ctrl-C again
        status = 130
    else:
        if not server.started:  # uvicorn logged why (e.g. the port was taken meanwhile)
            raise UsageError(f"could not serve on {args.host}:{args.port}")
        status = 0
    print("pipsim viz: stopped", file=sys.stderr)
    return _leave(status)


def _leave(status: int) -> int:
    """Return ``status``, or exit at once if a page's run is still playing in a thread.

    SolaraViz plays a run in a worker thread that only stops at the run's end; Python would
    wait for it before exiting, up to a minute after Ctrl-C. The server has shut down cleanly
    by now (connections and sessions closed), so nothing is lost by not waiting.
    """
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(t.is_alive() and not t.daemon for t in others):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _check_address(host: str, port: int) -> None:
    """Raise `UsageError` if this process cannot listen on ``host:port`` (taken, unknown)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UsageError(f"cannot listen on {host}: {error.strerror}") from error
    if not all(_loopback(str(info[4][0])) for info in infos):
        print(
            f"warning: pipsim viz listens on {host}, not only this machine: anyone who can "
            "reach it on the network can open the page and run models "
            "(--host 127.0.0.1 keeps it to this machine)",
            file=sys.stderr,
        )
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            reason = (
                "the port is in use (another pipsim viz?); choose another with --port"
                if error.errno == errno.EADDRINUSE
                else error.strerror
            )
            raise UsageError(f"cannot listen on {host}:{port}: {reason}") from error


def _loopback(address: str) -> bool:
    """Whether ``address`` (an IP address, as getaddrinfo gives it) is this machine only."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """The host to print in the page's address (a wildcard address is not one to open)."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host

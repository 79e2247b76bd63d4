"""How the rules are compiled: numba's ``njit(cache=True)``, with fewer versions of each rule.

Compiling the rules is most of a fresh machine's first run (issue 19), and numba compiles a
rule once per *signature* it is called with. Two of numba's habits multiply those signatures
without making the rules any faster:

- A call from compiled code with a constant argument (``choose(rng, weights, 0)``,
  ``learn(..., False, ...)``, ``record(..., 0, 0)``) types the constant as a literal
  (``Literal[int](0)``, ``Literal[bool](False)``), and each literal gets a version of the
  rule of its own. Here a rule is compiled for the constants' plain types (``int64``,
  ``bool``) instead, once, whatever constants it is called with; the caller converts.
- Every version gets a C-callable wrapper, used only when a compiled function is handed
  around as a first-class function value, which the rules never do: not generated here
  (numba's own ``no_cfunc_wrapper`` option).

The results are the same, bit for bit: a constant reaches the rule as the same value, and the
rule's arithmetic does not depend on whether numba knew it in advance.

**This relies on numba internals**: `RuleDispatcher` overrides
``numba.core.dispatcher.Dispatcher.get_call_template`` (the hook through which a compiled
caller asks for a version of its callee; numba 0.68's body, with the arguments' literal types
dropped). It is used only with the numba versions it was checked against (`CHECKED`); with any
other, the rules get numba's own dispatcher (slower to compile the first time, the same
results) and ``tests/rules/test_compiled.py`` fails, as a reminder: re-read
``numba/core/dispatcher.py`` of the new version, then add it to `CHECKED`. (pyproject.toml
asks only for numba >= 0.61; `pipsim.rules.cache` names its cache folder after the version.)
With ``NUMBA_DISABLE_JIT=1`` `njit` hands back the plain Python function, as numba does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
from numba.core import types, typing
from numba.core.registry import CPUDispatcher

OPTIONS: dict[str, Any] = {"nopython": True, "boundscheck": None, "no_cfunc_wrapper": True}
CHECKED = ("0.68.",)  # numba versions whose Dispatcher.get_call_template `RuleDispatcher` mirrors


class RuleDispatcher(CPUDispatcher):
    """numba's CPU dispatcher, compiling for constants' plain types (see the module)."""

    def get_call_template(self, args: Any, kws: Any) -> Any:
        """Numba's ``Dispatcher.get_call_template``, with literal argument types made plain."""
        pysig, args = self._compiler.fold_argument_types(args, kws)  # type: ignore[attr-defined]
        args = tuple(types.unliteral(a) for a in args)
        kws = {}
        if self._can_compile:  # type: ignore[attr-defined]
            self.compile(args)
        func_name = self.py_func.__name__
        call_template = typing.make_concrete_template(
            f"CallTemplate({func_name})", key=func_name, signatures=self.nopython_signatures
        )
        return call_template, pysig, args, kws


def njit(*, cache: bool = True, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """``numba.njit(cache=cache, **options)`` with `RuleDispatcher`, no first-class wrapper."""

    def wrap(func: Callable[..., Any]) -> Any:
        if numba.config.DISABLE_JIT:  # type: ignore[attr-defined]
            return func
        kind = RuleDispatcher if overriding() else CPUDispatcher
        dispatcher = kind(py_func=func, locals={}, targetoptions={**OPTIONS, **options})
        if cache:
            dispatcher.enable_caching()
        return dispatcher

    return wrap


def overriding() -> bool:
    """Whether this numba is one `RuleDispatcher` was checked against (`CHECKED`)."""
    return numba.__version__.startswith(CHECKED)

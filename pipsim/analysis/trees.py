"""Trees over a sweep's inputs: a CART tree of an outcome, and extra-trees feature scores.

Two of scenario discovery's three views (`pipsim.analysis.discovery` adds PRIM's box), from
scikit-learn: a shallow classification tree shows the conditions as a few yes/no splits, with
interactions PRIM's one box may hide; a forest of extra trees ranks the inputs by how much
each helps to tell the runs where the outcome happened from the others. scikit-learn is
imported by the functions that use it (it takes seconds), and the libraries' warnings and log
lines are kept off the terminal (`quietly`).
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

TREE_DEPTH = 3  # CART: deep enough for an interaction, shallow enough to read
TREES = 250  # extra trees in the forest that scores the inputs


@dataclass
class Tree:
    """A CART tree: its splits as text, and its leaves as conditions with their odds."""

    text: str
    leaves: pd.DataFrame  # conditions, runs, of_interest, density, coverage
    model: Any = None  # scikit-learn's DecisionTreeClassifier (for drawing)
    features: list[str] = field(default_factory=list)


@contextlib.contextmanager
def quietly() -> Iterator[None]:
    """Keep the libraries' warnings and EMA Workbench's log lines off the terminal.

    Warnings are still recorded (``pipsim run.log`` takes them through `logging`); the
    libraries' messages are about their own internals, not about the researcher's question.
    """
    ema = logging.getLogger("EMA")
    level = ema.level
    ema.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            log.debug("library warning: %s: %s", w.category.__name__, w.message)
    finally:
        ema.setLevel(level)


def encoded(x: pd.DataFrame) -> tuple[np.ndarray, list[str], list[str]]:
    """``x`` for scikit-learn: categories one-hot; (matrix, column names, their input)."""
    parts, names, owners = [], [], []
    for key in x.columns:
        if isinstance(x[key].dtype, pd.CategoricalDtype):
            for value in x[key].cat.categories:
                parts.append((x[key] == value).to_numpy(float))
                names.append(f"{key} = {value}")
                owners.append(key)
        else:
            parts.append(x[key].to_numpy(float))
            names.append(key)
            owners.append(key)
    return np.column_stack(parts), names, owners


def cart_tree(x: pd.DataFrame, y: np.ndarray, depth: int = TREE_DEPTH, seed: int = 0) -> Tree:
    """A shallow classification tree of ``y`` over ``x``; each leaf with its conditions."""
    with quietly():
        from sklearn.tree import DecisionTreeClassifier, export_text

        matrix, names, _ = encoded(x)
        least = max(1, len(y) // 40)  # a leaf holds at least 2.5% of the runs
        model = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=least, random_state=seed)
        model.fit(matrix, np.asarray(y, dtype=bool))
        text = export_text(model, feature_names=names, show_weights=True)
    return Tree(text, tree_leaves(model, matrix, np.asarray(y, bool), names), model, names)


def tree_leaves(model: Any, matrix: np.ndarray, y: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Each leaf of a fitted tree: the conditions to reach it, its runs and its odds."""
    t = model.tree_
    leaf_of = model.apply(matrix)
    rows = []

    def walk(node: int, path: list[str]) -> None:
        if t.children_left[node] == t.children_right[node]:  # a leaf
            inside = leaf_of == node
            k = int(y[inside].sum())
            rows.append(
                {
                    "conditions": " and ".join(path) or "all runs",
                    "runs": int(inside.sum()),
                    "of_interest": k,
                    "density": k / max(int(inside.sum()), 1),
                    "coverage": k / max(int(y.sum()), 1),
                }
            )
            return
        name, cut = names[t.feature[node]].replace("_", " "), t.threshold[node]
        if " = " in name:  # a one-hot category: left is "not this value"
            walk(t.children_left[node], [*path, name.replace(" = ", " is not ")])
            walk(t.children_right[node], [*path, name.replace(" = ", " is ")])
        else:
            walk(t.children_left[node], [*path, f"{name} ≤ {cut:.3g}"])
            walk(t.children_right[node], [*path, f"{name} > {cut:.3g}"])

    walk(0, [])
    return pd.DataFrame(rows).sort_values("density", ascending=False, ignore_index=True)


def feature_scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """Each input's extra-trees importance for telling ``y`` (a category's values summed).

    Returns (parameter, score, rank), most important first; scores add up to 1. A yes/no
    ``y`` is classified; a numeric one regressed.
    """
    y = np.asarray(y)
    with quietly():
        from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

        matrix, _, owners = encoded(x)
        forest = (
            ExtraTreesClassifier(n_estimators=TREES, random_state=seed, min_samples_leaf=2)
            if y.dtype == bool or np.isin(y, (0, 1)).all()
            else ExtraTreesRegressor(n_estimators=TREES, random_state=seed, min_samples_leaf=2)
        )
        forest.fit(matrix, y)
    scores = pd.Series(forest.feature_importances_, index=owners).groupby(level=0).sum()
    table = scores.sort_values(ascending=False).rename_axis("parameter").reset_index(name="score")
    table["rank"] = np.arange(1, len(table) + 1)
    return table


def ranking_words(scores: pd.DataFrame) -> str:
    """The ranking in one line per input: ``1. project months  0.62``."""
    width = max((len(str(p)) for p in scores["parameter"]), default=0)
    return "\n".join(
        f"  {r.rank}. {str(r.parameter).replace('_', ' '):<{width}}  {r.score:.2f}"
        for r in scores.itertuples()
    )

"""The model's dynamics as small pure functions over numpy arrays, with no Mesa in sight.

Each module owns one mechanism of the model brief's section 4: `trust` (how trust grows, is
lost and erodes), `activities` (who attends, who complies, what succeeds), `conflicts`
(their damage and its mediation), `economy` (sales, productivity, shocks), `turnover`
(technicians leaving) and `motivation` (waiting, results, dropout and joining). The model
wires them together; the tests exercise them directly.
"""

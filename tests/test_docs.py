"""The documentation says what the code does: the ODD's parameter table is the code's."""

import re
from pathlib import Path

from pipsim.parameters import markdown_table

ROOT = Path(__file__).parent.parent


def test_odd_parameter_table_matches_the_code():
    odd = (ROOT / "docs" / "ODD.md").read_text()
    found = re.search(r"<!-- parameters:begin -->\n(.*?)\n<!-- parameters:end -->", odd, re.S)
    assert found, "docs/ODD.md lacks the parameters:begin/end markers"
    assert found.group(1).strip() == markdown_table().strip(), (
        "docs/ODD.md's parameter table is stale: paste the output of "
        "`python -c 'from pipsim.parameters import markdown_table; print(markdown_table())'`"
    )


def test_readme_commands_exist():
    readme = (ROOT / "README.md").read_text()
    for script in ("scripts/demo.sh", "scripts/test.sh"):
        assert f"bash {script}" in readme and (ROOT / script).exists()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()

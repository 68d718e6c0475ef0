"""The consoles every command prints through: results to stdout, messages to stderr."""

from __future__ import annotations

from rich.console import Console

# emoji codes off: article text such as ":-1:" or ":fire:" is printed as written
console = Console(emoji=False)
err_console = Console(stderr=True, emoji=False)

"""Errors that users see as one clear line.

Bad input (a missing dump, a line that is not JSON, a record without id...) must stop the run with one
line naming the file, the record and what is wrong. Such failures derive from :class:`UserError`; the script
entry point prints ``str(error)`` as one line and exits non-zero.
"""

from __future__ import annotations


class UserError(Exception):
    """An error that is the user's to act on; its message is complete on one line (no traceback shown)."""


class InputError(UserError):
    """Input the workflow cannot use; the message is the whole story, on one line."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class CollectionError(UserError):
    """A listing that could not be finished; the message is one line naming kind, task, page and last error."""

    def __init__(self, kind: str, task: str, page: int, problem: str) -> None:
        self.kind = kind
        self.task = task
        self.page = page
        self.problem = problem
        super().__init__(f"{kind} listing for task {task!r}, page {page}: {problem}")

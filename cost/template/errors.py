"""The one error this package raises for bad input: a template, a parameter value or a file.

Every problem with what the user gave (syntax, a section of the wrong shape, an intrinsic
function with arguments of the wrong shape, a parameter value the template does not allow)
is a `TemplateError`. Anything else escaping this package is a bug.
"""

from __future__ import annotations


class TemplateError(ValueError):
    """Bad input, with where it is.

    `source` is the file (or the name the caller gave the text), `line` and `column` are
    1-based and set for syntax errors, `path` is the place inside the template
    (``Resources.Db.Properties.DBInstanceClass``) for errors found after parsing, and
    `message` says what is wrong and what is allowed.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "<template>",
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        super().__init__(self._text())

    def _text(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        if self.path:
            where += f": {self.path}"
        return f"{where}: {self.message}"

    def with_source(self, source: str) -> TemplateError:
        """The same error, naming the file it came from."""
        return TemplateError(
            self.message, source=source, line=self.line, column=self.column, path=self.path
        )

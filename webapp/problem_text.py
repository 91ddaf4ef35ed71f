"""A definition problem (workflow, form) in the reader's language.

The domain loaders report `workflow.yaml_documents.Problem`s whose message is an English
template marked with `N_` and whose values are kept apart; here the template is looked up
in the catalog and the values filled in. User content in the values (a state named in the
YAML, a parser's explanation) is never translated, and templates escape it as usual.
"""

from __future__ import annotations

from flask_babel import gettext

from workflow.yaml_documents import Problem


def problem_message(problem: Problem) -> str:
    """The problem's message in the current locale, or in English if a translation is broken."""
    translated = gettext(problem.message)
    if not problem.params:
        return translated
    try:
        return translated % dict(problem.params)
    except (KeyError, TypeError, ValueError):
        try:
            return problem.text
        except (KeyError, TypeError, ValueError):
            return problem.message


def problem_line(problem: Problem) -> str:
    """`path: message (line N)` in the current locale, as `str(problem)` says it in English."""
    text = problem_message(problem)
    if problem.path:
        text = f"{problem.path}: {text}"
    if problem.line:
        text = f"{text} ({gettext('line %(line)s', line=problem.line)})"
    return text

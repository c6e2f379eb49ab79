"""Write docs/api.md from the docstrings of hetsim.api: ``python docs/make_api.py``.

tests/test_api_docs.py fails when docs/api.md differs from what this renders, so the
reference never drifts from the code.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import itertools
import re
import textwrap
from pathlib import Path

from hetsim import api

PAGE = Path(__file__).with_name("api.md")
HEADER = """# Python API reference

Generated from the docstrings of `hetsim/api.py` by `python docs/make_api.py` (a test keeps
this page in sync). Every name below is importable from `hetsim` itself: `hetsim.run`,
`hetsim.compare`, … A walk-through is in [tutorial.md](tutorial.md).
"""


def _annotation(annotation: object) -> str:
    if annotation is inspect.Parameter.empty:
        return ""
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _parameter(param: inspect.Parameter) -> str:
    text = param.name
    annotation = _annotation(param.annotation)
    if annotation:
        text += f": {annotation}"
    if param.default is not inspect.Parameter.empty:
        text += f" = {param.default!r}" if annotation else f"={param.default!r}"
    return text


def signature(name: str, function: object) -> str:
    """``name(params) -> returns``, one parameter per line when it would not fit on one."""
    sig = inspect.signature(function)
    parts, star = [], False
    for param in sig.parameters.values():
        if param.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        parts.append(_parameter(param))
    returns = _annotation(sig.return_annotation)
    tail = f" -> {returns}" if returns else ""
    one_line = f"{name}({', '.join(parts)}){tail}"
    if len(one_line) <= 90:
        return one_line
    body = "".join(f"    {part},\n" for part in parts)
    return f"{name}(\n{body}){tail}"


def field_docs(cls: type) -> dict[str, str]:
    """Docstrings written under a dataclass's fields (a string right after the field)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body
    docs = {}
    for node, after in itertools.pairwise(body):
        is_doc = isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and is_doc:
            docs[node.target.id] = " ".join(str(after.value.value).split())
    return docs


def _doc(obj: object) -> str:
    """A docstring as Markdown: Google-style ``Args:`` entries become list items."""
    lines = []
    for line in inspect.cleandoc(obj.__doc__ or "").strip().splitlines():
        item = re.match(r"^    (\S[^:]*): (.*)$", line)
        if item:
            lines.append(f"- `{item.group(1)}`: {item.group(2)}")
        elif line.startswith("        ") and lines:
            lines[-1] += " " + line.strip()
        elif line.startswith("    "):
            lines.append("- " + line.strip())
        else:
            lines.append(line)
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _function(name: str, function: object) -> str:
    return (
        f"### `hetsim.{name}`\n\n```python\n{signature(name, function)}\n```\n\n{_doc(function)}\n"
    )


def _class(name: str, cls: type) -> str:
    text = f"### `hetsim.{name}`\n\n{_doc(cls).splitlines()[0]} Defined in `{cls.__module__}`.\n"
    if dataclasses.is_dataclass(cls):
        docs = field_docs(cls)
        rows = [
            f"| `{f.name}` | `{_cell(_annotation(f.type))}` | {_cell(docs.get(f.name, ''))} |"
            for f in dataclasses.fields(cls)
        ]
        text += "\n| field | type | what |\n|---|---|---|\n" + "\n".join(rows) + "\n"
        properties = [
            (attr, value)
            for attr, value in vars(cls).items()
            if isinstance(value, property) and not attr.startswith("_")
        ]
        for attr, value in properties:
            text += f"\n`{attr}` (property): {_doc(value.fget)}\n"
    return text


def render() -> str:
    """The whole page."""
    names = sorted(api.__all__, key=lambda n: (inspect.isclass(getattr(api, n)), n.lower()))
    functions = [n for n in names if not inspect.isclass(getattr(api, n))]
    classes = [n for n in names if inspect.isclass(getattr(api, n))]
    parts = [HEADER, _doc(api) + "\n", "## Functions\n"]
    parts += [_function(n, getattr(api, n)) for n in functions]
    parts += ["## Classes\n"]
    parts += [_class(n, getattr(api, n)) for n in classes]
    return "\n".join(parts)


if __name__ == "__main__":
    PAGE.write_text(render(), encoding="utf-8")
    print(f"wrote {PAGE}")

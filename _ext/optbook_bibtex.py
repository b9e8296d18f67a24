"""Author–year citations and bibliography for the optbook website.

Loaded by ``optbook_site.setup``. It registers two styles, which
``_config.yml`` selects:

- ``bibtex_reference_style: optbook_author_year``: sphinxcontrib-bibtex's
  ``author_year`` style with round brackets, so ``{cite:t}`` renders as
  "Kingma and Ba (2015)" and ``{cite:p}`` as "(Kingma and Ba, 2015)", as an
  author–year text reads (the built-in style uses square brackets).
- ``bibtex_default_style: optbook``: pybtex's ``unsrt`` entry format, sorted by
  author, year and title, with author–year labels ("Kingma and Ba, 2015",
  "Sutskever et al., 2013") in place of the default ``alpha`` labels
  ("[KB15]"), which match nothing in the text. Two works with the same label
  get "2019a", "2019b".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pybtex.plugin import register_plugin as register_pybtex_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle


def _round() -> BracketStyle:
    return BracketStyle(left="(", right=")")


@dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``author_year`` with round brackets: "Ruder (2016)", "(Ruder, 2016)"."""

    bracket_parenthetical: BracketStyle = field(default_factory=_round)
    bracket_textual: BracketStyle = field(default_factory=_round)
    bracket_author: BracketStyle = field(default_factory=_round)
    bracket_label: BracketStyle = field(default_factory=_round)
    bracket_year: BracketStyle = field(default_factory=_round)


def _surname(person: Any) -> str:
    """The printed surname ("von" part included), LaTeX accents decoded."""
    parts = person.rich_prelast_names + person.rich_last_names
    return " ".join(str(part) for part in parts) or str(person)


def author_year_label(entry: Any) -> str:
    """"Cauchy, 1847", "Kingma and Ba, 2015", "Sutskever et al., 2013"."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    year = entry.fields.get("year", "n.d.")
    if not persons:
        return f"{entry.fields.get('title', entry.key)}, {year}"
    if len(persons) == 1:
        names = _surname(persons[0])
    elif len(persons) == 2:
        names = f"{_surname(persons[0])} and {_surname(persons[1])}"
    else:
        names = f"{_surname(persons[0])} et al."
    return f"{names}, {year}"


class AuthorYearLabelStyle(BaseLabelStyle):
    """Author–year labels, made unique by a letter after the year."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year_label(entry) for entry in entries]
        counts = Counter(labels)
        seen: Counter[str] = Counter()
        for label in labels:
            if counts[label] > 1:
                suffix = "abcdefghijklmnopqrstuvwxyz"[seen[label]]
                seen[label] += 1
                yield label + suffix
            else:
                yield label


class AuthorYearStyle(UnsrtStyle):
    """pybtex's ``unsrt`` entries, sorted by author, year, title, with author–year labels."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def setup(app: Any) -> dict[str, Any]:
    register_pybtex_plugin("pybtex.style.formatting", "optbook", AuthorYearStyle)
    register_bibtex_plugin(
        "sphinxcontrib.bibtex.style.referencing", "optbook_author_year",
        RoundAuthorYearReferenceStyle,
    )
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}

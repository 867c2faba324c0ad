"""Sphinx extension: citation labels a reader understands, such as [Elman 1990].

sphinxcontrib-bibtex's default style labels works by three letters of the author and two of the
year ([Elm90]), and a work with no author by "Ano" ([Ano24a], [Ano24b]), which tells a reader
nothing. This style labels a work by its authors' surnames and its year: one author
[Elman 1990], two [Williams & Peng 1990], three or more [Goodfellow et al. 2016], with a, b
when two works would get the same label. A work whose page names no author carries a
``shorthand`` field in references.bib (a few words of its title and its year), and that is its
label. The list on the bibliography page is sorted by the same names, then year, then title.

Registered in _config.yml under ``sphinx: local_extensions``; selected there with
``bibtex_default_style: rnnbook``.
"""
from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle


def _plain(latex: str) -> str:
    """A name or title field as plain text: braces dropped, accents such as {\\"u} decoded."""
    return Text.from_latex(latex).render_as("text").strip()


def who(entry) -> str:
    """The label's name part: the shorthand, else the surnames (``et al.`` from three on)."""
    if "shorthand" in entry.fields:
        return _plain(entry.fields["shorthand"])
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_plain(" ".join(p.prelast_names + p.last_names)) for p in persons]
    if not names:
        return " ".join(_plain(entry.fields.get("title", "Anonymous")).split()[:3])
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} & {names[1]}"
    return f"{names[0]} et al."


def base_label(entry) -> str:
    if "shorthand" in entry.fields:
        return who(entry)
    return f"{who(entry)} {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """[Surname year], [A & B year], [A et al. year]; a, b, ... for equal labels."""

    def format_labels(self, sorted_entries):
        labels = [base_label(entry) for entry in sorted_entries]
        counts, seen = Counter(labels), Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield f"{label}{chr(ord('a') + seen[label] - 1)}"
            else:
                yield label


class NameYearTitleSorting(BaseSortingStyle):
    """Sorted as the labels read: by the name part, then year, then title."""

    def sorting_key(self, entry):
        return (who(entry).lower(), entry.fields.get("year", ""),
                _plain(entry.fields.get("title", "")).lower())


class BookStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = NameYearTitleSorting


def bib_labels(bibfile) -> dict[str, str]:
    """Every entry's label as the bibliography page shows it (it lists them all), by key."""
    from pybtex.database import parse_file

    entries = list(parse_file(str(bibfile)).entries.values())
    ordered = NameYearTitleSorting().sort(entries)
    return {e.key: label for e, label in zip(ordered, AuthorYearLabels().format_labels(ordered))}


def setup(app):
    register_plugin("pybtex.style.formatting", "rnnbook", BookStyle, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

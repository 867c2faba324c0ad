"""An LMS download read right: who handed in what, when, and every file not graded with a reason.

A download is a zip or the folder it was extracted to (recursed). Each file's path is matched
against the naming conventions of the three LMSs (checked against their source or their
download tools):

    Canvas      ``<lastfirst>[_LATE]_<user id>_<file id>_<file name>``; ``lastfirst`` is the
                sortable name ("Hopper, Grace"), lower-cased, everything but letters and digits
                removed (Unicode letters stay: ``ñúñezjosé``); ``_LATE`` is Canvas's own flag
                (it knows the due date and every extension). Anonymous grading writes
                ``[LATE_]anon_<anonymous id>_<file id>_<file name>``.
    Moodle      ``<Full Name>_<participant id>_assignsubmission_file[_]/<file name>`` (one folder
                per student, the default since Moodle 3.1) or the flat
                ``<Full Name>_<participant id>_assignsubmission_file_<file name>``; blind marking
                writes ``Participant_<id>``.
    Blackboard  ``<Assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>``, with a
                receipt ``<Assignment>_<username>_attempt_<time>.txt`` whose ``Name:`` line holds
                the full name.
    plain       ``<student>.ipynb``, or ``<student>/<assignment>.ipynb`` (a folder per student).

Names are kept as written (Unicode, NFC). The path a copy is written to never comes from a
name: it is ``into/<key>.ipynb``, where the key is the name reduced to word characters plus
the LMS id. A zip's members are read into memory, capped in size, never extracted by path;
only notebooks and receipts are read at all (another file's name is all its row needs).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .assemble import MAX_BYTES as MAX_SUBMISSION

MAX_BYTES = MAX_SUBMISSION    # a file bigger than this is not read (the grader's own limit)
MAX_FILES = 10_000            # a download with more entries than this is refused
MAX_TOTAL = 2 << 30           # nor one that would expand to more than this
MAX_RECEIPT = 1 << 20         # a Blackboard receipt is read up to this; other files not at all
MAX_DEPTH = 64                # a notebook's JSON nests about 6 deep; widget state a little more

_SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass
class Record:
    """One student's notebook, chosen for grading."""
    key: str                     # unique, safe for a file name; the gradebook's "student"
    name: str                    # as the LMS wrote it (Unicode)
    lms: str                     # "canvas", "moodle", "blackboard" or "plain"
    lms_id: str                  # Canvas user id, Moodle participant id, Blackboard username
    submitted: datetime | None   # from the LMS name (Blackboard), else None
    late: bool | None            # the LMS's own flag (Canvas), else None
    path: str                    # private copy under ``into``
    source: str                  # the file's path inside the download
    file_time: datetime | None = None   # the zip entry's or the file's modification time
    sha256: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class NotGraded:
    """A file of the download that is not graded, and why."""
    source: str
    reason: str
    name: str = ""
    lms_id: str = ""
    unreadable: bool = False     # the file could not be read: the run exits non-zero


@dataclass
class Collection:
    records: list[Record]
    not_graded: list[NotGraded]

    @property
    def ok(self) -> bool:
        """Something was found and every file could be read (the CLI's exit status)."""
        return bool(self.records) and not any(n.unreadable for n in self.not_graded)

    def as_dict(self) -> dict[str, str]:
        return {r.key: r.path for r in self.records}


# ------------------------------------------------------------------ names

@dataclass
class Parsed:
    lms: str
    name: str
    lms_id: str = ""
    late: bool | None = None
    submitted: datetime | None = None
    order: int = 0               # a later upload has a larger number (Canvas file id)
    filename: str = ""           # the student's own file name
    receipt: bool = False        # a Blackboard receipt, not a submission


# Every pattern takes the first (leftmost) match: the LMS writes its part first and the student's
# own file name last, so a file named ``x_bob_attempt_2099-...`` or ``Bob_100_assignsubmission_
# file_...`` does not make its author another student.
_BLACKBOARD = re.compile(r"^(?P<assignment>.+?)_(?P<user>[^_]+)_attempt_"
                         r"(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+)|\.txt)$")
_MOODLE_DIR = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_file_?$")
_MOODLE_FLAT = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_file_(?P<file>.+)$")
_MOODLE_OTHER = re.compile(r"^(?P<name>.+)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)_?$")
_CANVAS = re.compile(r"^(?P<name>\w+?)(?P<late>_LATE)?_(?P<id>\d+)_(?P<fid>\d+)_(?P<file>.+)$")
_CANVAS_ANON = re.compile(r"^(?P<late>LATE_)?anon_(?P<id>[A-Za-z0-9]+)_(?P<fid>\d+)_"
                          r"(?P<file>.+)$")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def parse_path(parts: list[str], assignment: str | None = None,
               prefer: str | None = None) -> Parsed:
    """Who a file belongs to, from its path inside the download (a list of components).

    A name may fit two conventions (a Canvas file whose student named it
    ``x_bob_attempt_2026-12-01-00-00-00.ipynb`` also reads as Blackboard's, with a time of the
    student's choosing); ``prefer`` (the download's convention, see ``read``) decides, else
    the first that fits in the order Moodle folder, Blackboard, Moodle flat, Canvas, plain.
    """
    fits = list(_readings([nfc(p) for p in parts], assignment))
    for p in fits:
        if p.lms == prefer:
            return p
    return fits[0]


def _readings(parts: list[str], assignment: str | None):
    base = parts[-1]
    for folder in parts[:-1]:            # the outermost first: inner folders are the student's
        m = _MOODLE_DIR.match(folder) or _MOODLE_OTHER.match(folder)
        if m:
            yield Parsed("moodle", m["name"], m["id"], filename=base)
            break
    m = _BLACKBOARD.match(base)
    if m:
        try:
            when = datetime.strptime(m["time"], "%Y-%m-%d-%H-%M-%S")
        except ValueError:               # 2026-13-45-...: not a time Blackboard writes
            when = None
        if when is not None:
            yield Parsed("blackboard", m["user"], m["user"], submitted=when,
                         filename=m["file"] or base, receipt=m["file"] is None)
    m = _MOODLE_FLAT.match(base)
    if m:
        yield Parsed("moodle", m["name"], m["id"], filename=m["file"])
    m = _CANVAS_ANON.match(base)
    if m:
        yield Parsed("canvas", "anon_" + m["id"], "anon_" + m["id"], late=bool(m["late"]),
                     order=int(m["fid"]), filename=m["file"])
    m = _CANVAS.match(base)
    if m:
        yield Parsed("canvas", m["name"], m["id"], late=bool(m["late"]), order=int(m["fid"]),
                     filename=m["file"])
    stem = os.path.splitext(base)[0]
    if len(parts) > 1 and assignment and _bare(stem) == assignment:
        yield Parsed("plain", parts[-2], filename=base)      # <student>/<assignment>.ipynb
    else:
        yield Parsed("plain", stem, filename=base)


def _bare(stem: str) -> str:
    """A file name without the ``-1``, `` (2)`` an LMS or a browser adds to a second copy."""
    return re.sub(r"(-\d+| ?\(\d+\))$", "", stem)


def key_of(name: str, lms_id: str = "") -> str:
    """A file-name-safe key: word characters only (Unicode letters stay), then the LMS id."""
    slug = _bytes_cap(re.sub(r"\W+", "_", nfc(name)).strip("_")[:40], 120).strip("_")
    ident = _bytes_cap(re.sub(r"\W+", "_", nfc(lms_id)).strip("_")[:40], 80)
    if ident and slug != ident:
        slug = f"{slug}_{ident}" if slug else ident
    return slug or "student"


def _bytes_cap(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8 (a file name holds 255 bytes, and a
    letter of a rare script takes 4)."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


# ------------------------------------------------------------------ reading a download

@dataclass
class _File:
    parts: list[str]
    data: bytes | None           # None: could not be read (see error)
    error: str = ""
    mtime: datetime | None = None


def _entries(source: str):
    """(path components, bytes or error, modification time) for every file of the download."""
    if os.path.isdir(source):
        yield from _folder_entries(source)
    elif os.path.isfile(source) and source.lower().endswith(".ipynb"):
        yield _one_notebook(source)          # one student's notebook (a Gradescope upload)
    elif zipfile.is_zipfile(source):
        yield from _zip_entries(source)
    elif os.path.isfile(source):
        raise ValueError(f"SUBMISSIONS: expected a folder or a zip, got the file {source!r} "
                         "(not a zip archive)")
    else:
        raise ValueError(f"SUBMISSIONS: expected a folder or a zip, got {source!r} "
                         "(no such file or folder)")


def _folder_entries(root: str):
    count = total = 0
    for here, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        for d in [d for d in dirs if os.path.islink(os.path.join(here, d))]:
            dirs.remove(d)                   # not followed, but said: a student may be in it
            yield _File(os.path.relpath(os.path.join(here, d), root).split(os.sep), None,
                        "a link to a folder, not followed (copy the folder in instead)")
        for name in sorted(files):
            if name.startswith(".") or name in _SKIP_NAMES:
                continue
            count += 1
            if count > MAX_FILES:
                raise ValueError(f"SUBMISSIONS: more than {MAX_FILES} files under {root!r}")
            path = os.path.join(here, name)
            parts = os.path.relpath(path, root).split(os.sep)
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode):
                    yield _File(parts, None, "not a regular file (a link or a device)")
                    continue
                mtime = datetime.fromtimestamp(st.st_mtime)
                limit = _limit(name)
                if limit == 0:
                    yield _File(parts, b"", "", mtime)          # only its name matters
                    continue
                if st.st_size > limit:
                    yield _too_big_file(parts, name, st.st_size, mtime)
                    continue
                total += st.st_size
                if total > MAX_TOTAL:
                    raise ValueError(f"SUBMISSIONS: the notebooks under {root!r} add up to "
                                     f"more than {MAX_TOTAL >> 20} MB")
                with open(path, "rb") as f:
                    data = f.read(limit + 1)
            except OSError as err:
                yield _File(parts, None, f"{type(err).__name__}: {err.strerror or err}")
                continue
            yield (_too_big_file(parts, name, len(data), mtime) if len(data) > limit
                   else _File(parts, data, "", mtime))


def _one_notebook(path: str) -> _File:
    """A single notebook given instead of a download: the student is named by the file."""
    parts = [os.path.basename(path)]
    try:
        st = os.stat(path)
        mtime = datetime.fromtimestamp(st.st_mtime)
        if st.st_size > MAX_BYTES:
            return _too_big_file(parts, parts[0], st.st_size, mtime)
        with open(path, "rb") as f:
            return _File(parts, f.read(MAX_BYTES + 1), "", mtime)
    except OSError as err:
        return _File(parts, None, f"{type(err).__name__}: {err.strerror or err}")


def _limit(name: str) -> int:
    """How many bytes of a file are read: a notebook up to MAX_BYTES, a text file (a
    Blackboard receipt) up to MAX_RECEIPT, anything else not at all (it is not graded, and a
    student's 50 MB video must neither fill the memory nor make the run fail)."""
    ext = os.path.splitext(name)[1].lower()
    return MAX_BYTES if ext == ".ipynb" else MAX_RECEIPT if ext == ".txt" else 0


def _too_big_file(parts, name, size, mtime) -> _File:
    if name.lower().endswith(".ipynb"):
        return _File(parts, None, _too_big(size), mtime)
    return _File(parts, b"", "", mtime)          # a long text file: not a receipt


def _zip_entries(path: str):
    with zipfile.ZipFile(path) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        if len(infos) > MAX_FILES:
            raise ValueError(f"SUBMISSIONS: the zip {path!r} holds {len(infos)} files, more "
                             f"than {MAX_FILES}")
        total = 0
        for info in sorted(infos, key=lambda i: i.filename):
            parts = [p for p in _member_name(info).replace("\\", "/").split("/")
                     if p not in ("", ".", "..")]
            if (not parts or parts[-1].startswith(".") or parts[-1] in _SKIP_NAMES
                    or "__MACOSX" in parts):
                continue
            try:
                mtime = datetime(*info.date_time)
            except ValueError:
                mtime = None
            limit = _limit(parts[-1])
            if limit == 0:
                yield _File(parts, b"", "", mtime)              # only its name matters
                continue
            if info.file_size > limit:
                yield _too_big_file(parts, parts[-1], info.file_size, mtime)
                continue
            total += info.file_size
            if total > MAX_TOTAL:
                raise ValueError(f"SUBMISSIONS: the zip {path!r} expands to more than "
                                 f"{MAX_TOTAL >> 30} GB")
            try:
                with z.open(info) as f:
                    data = f.read(limit + 1)
            except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError,
                    EOFError, OSError) as err:
                yield _File(parts, None, f"a damaged zip entry: {type(err).__name__}: {err}",
                            mtime)
                continue
            yield (_too_big_file(parts, parts[-1], len(data), mtime) if len(data) > limit
                   else _File(parts, data, "", mtime))


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name; a zip made without the UTF-8 flag (old Windows tools) decoded as UTF-8
    when its bytes are UTF-8, so that ``José`` is not read as ``Jos├⌐``."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _too_big(n: int) -> str:
    return f"larger than the {MAX_BYTES >> 20} MB limit ({n / 2**20:.1f} MB)"


# ------------------------------------------------------------------ the notebook itself

def notebook_problem(data: bytes, assignment: str | None, answers) -> tuple[str, bool, list]:
    """(why the notebook is not graded or "", whether it is unreadable, notes) for its bytes."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return "unreadable: not UTF-8 text", True, []
    except json.JSONDecodeError as err:
        return f"unreadable: not a notebook (invalid JSON: {err.msg}, line {err.lineno})", True, []
    except RecursionError:
        return f"unreadable: not a notebook (JSON nested deeper than {MAX_DEPTH} levels)", True, []
    except ValueError as err:            # a number of more than 4300 digits, and the like
        return f"unreadable: not a notebook ({err})"[:200], True, []
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "unreadable: not a notebook (no list of cells)", True, []
    if _depth(nb) > MAX_DEPTH:           # the grading run's own readers recurse, and crash
        return f"unreadable: not a notebook (JSON nested deeper than {MAX_DEPTH} levels)", True, []
    meta = nb.get("metadata")
    meta = meta.get("rnngrade") if isinstance(meta, dict) else None
    theirs = meta.get("assignment") if isinstance(meta, dict) else None
    if assignment and theirs and str(theirs) != assignment:
        return (f"wrong assignment: this notebook is {str(theirs)!r}, the key is "
                f"{assignment!r}"), False, []
    found = set()
    for cell in nb["cells"]:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        info = meta.get("rnngrade") if isinstance(meta, dict) else None
        if isinstance(info, dict) and info.get("role") == "answer":
            found.add(str(info.get("answer")))
    wanted = list(answers or [])
    if wanted and not found & set(wanted):
        return ("answer cells missing their metadata: no cell is tagged as the answer "
                f"{', '.join(wanted)} (was the notebook made from the released one?)"), False, []
    missing = [a for a in wanted if a not in found]
    notes = ([(f"answer cells missing their metadata: {', '.join(missing)} (scored as "
              "unanswered)")] if missing else [])
    return "", False, notes


def _depth(obj) -> int:
    """How deeply lists and dicts nest in ``obj`` (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(obj, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        stack.extend((x, level + 1) for x in item if isinstance(x, (dict, list)))
    return deepest


# ------------------------------------------------------------------ the whole download

def read(source: str, into: str, *, assignment: str | None = None, answers=()) -> Collection:
    """Read a download; copy each student's chosen notebook to ``into/<key>.ipynb``.

    ``assignment`` (the key's ``metadata["rnngrade"]["assignment"]``) rejects notebooks of
    another assignment; ``answers`` (the key's answer names) rejects notebooks none of whose
    cells carry an answer tag, and notes the missing ones. Of several notebooks from one
    student, the latest attempt is graded (Blackboard's time, Canvas's file id), then the one
    named like the assignment, then the newest file; the others are listed as older attempts
    or duplicates. A name that fits two conventions is read by the download's own (the one
    most of its files follow), so a student cannot pass for another LMS's student by naming
    the upload like one.
    """
    os.makedirs(into, exist_ok=True)
    files = list(_entries(source))
    first = [parse_path(f.parts, assignment) for f in files]
    votes = Counter(p.lms for p in first if not p.receipt and p.lms != "plain")
    convention = votes.most_common(1)[0][0] if votes else None
    parsed = [parse_path(f.parts, assignment, convention) for f in files]
    receipts = {}
    for f, p in zip(files, parsed):
        if p.receipt and f.data is not None:
            receipts[_receipt_key(f.parts[-1])] = _receipt_name(f.data)
    _folder_per_student(files, parsed)
    candidates, not_graded = [], []
    attempts = {_receipt_key(f.parts[-1]) for f, p in zip(files, parsed)
                if p.lms == "blackboard" and not p.receipt}
    for f, p in zip(files, parsed):
        where = "/".join(f.parts)
        if p.receipt:                                # used above for the name
            if _receipt_key(f.parts[-1]) not in attempts:
                not_graded.append(NotGraded(where, "a Blackboard attempt with no file handed "
                                            "in (only its receipt)",
                                            receipts.get(_receipt_key(f.parts[-1])) or p.name,
                                            p.lms_id))
            continue
        if p.lms == "blackboard":
            p.name = receipts.get(_receipt_key(f.parts[-1]), p.name) or p.name
        if f.data is None:
            not_graded.append(NotGraded(where, f"unreadable: {f.error}", p.name, p.lms_id, True))
            continue
        ext = os.path.splitext(f.parts[-1])[1].lower()
        if ext != ".ipynb":
            not_graded.append(NotGraded(where, f"not a notebook ({ext or 'no extension'}): "
                                        "only .ipynb files are graded", p.name, p.lms_id))
            continue
        why, unreadable, notes = notebook_problem(f.data, assignment, answers)
        if why:
            not_graded.append(NotGraded(where, why, p.name, p.lms_id, unreadable))
            continue
        candidates.append((p, f, where, notes))
    records = _choose(candidates, not_graded, assignment, into)
    return Collection(records, sorted(not_graded, key=lambda n: n.source))


def _folder_per_student(files, parsed) -> None:
    """A plain file named like files in other folders (``ada/hw.ipynb``, ``bob/hw.ipynb``)
    belongs to its folder's student, not to a student called ``hw``."""
    folders: dict[str, set] = {}
    for f, p in zip(files, parsed):
        if p.lms == "plain" and len(f.parts) > 1:
            folders.setdefault(p.name, set()).add(tuple(f.parts[:-1]))
    for f, p in zip(files, parsed):
        if p.lms == "plain" and len(f.parts) > 1 and len(folders[p.name]) > 1:
            p.name = nfc(f.parts[-2])


def _receipt_key(base: str) -> str:
    m = _BLACKBOARD.match(nfc(base))
    return f"{m['user']}@{m['time']}" if m else ""


def _receipt_name(data: bytes) -> str:
    """``Name: Grace Hopper (ghopper)`` → ``Grace Hopper``."""
    text = data[:4000].decode("utf-8", "replace")
    m = re.search(r"^Name:\s*(.+?)\s*(?:\([^()]*\))?\s*$", text, re.MULTILINE)
    return nfc(m.group(1)) if m else ""


def _choose(candidates, not_graded, assignment, into) -> list[Record]:
    groups: dict[tuple, list] = {}
    for c in candidates:
        p = c[0]
        who = (p.lms, p.lms_id) if p.lms_id else (p.lms, nfc(p.name).casefold())
        groups.setdefault(who, []).append(c)
    records, used = [], set()
    for who in sorted(groups, key=lambda w: (w[0], w[1])):
        group = sorted(groups[who], key=lambda c: _recency(c, assignment), reverse=True)
        p, f, where, notes = group[0]
        for q, g, other, _ in group[1:]:
            older = _recency((q, g, other, None), assignment)[:2] < \
                _recency(group[0], assignment)[:2]
            what = "older attempt" if older else "duplicate"
            when = f" of {q.submitted:%Y-%m-%d %H:%M:%S}" if q.submitted else ""
            not_graded.append(NotGraded(other, f"{what}{when}: {where} is graded instead",
                                        q.name, q.lms_id))
        key = key_of(p.name, p.lms_id)
        base, n = key, 2
        while key.casefold() in used:
            key, n = f"{base}_{n}", n + 1
        used.add(key.casefold())
        path = os.path.join(into, key + ".ipynb")
        with open(path, "wb") as out:
            out.write(f.data)
        records.append(Record(key, nfc(p.name), p.lms, p.lms_id, p.submitted, p.late, path,
                              where, f.mtime, hashlib.sha256(f.data).hexdigest(), notes))
    return records


def _recency(c, assignment):
    p, f = c[0], c[1]
    stem = os.path.splitext(p.filename)[0]
    named_right = bool(assignment) and _bare(stem) == assignment
    return (p.submitted or datetime.min, p.order, named_right, f.mtime or datetime.min,
            [-ord(ch) for ch in c[2]])

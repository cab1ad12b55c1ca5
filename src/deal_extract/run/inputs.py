"""Which files of a corpus folder a batch reads, and which output folders it may write.

Supported files under the corpus folder, recursively and sorted. Never read: hidden files
and folders; the output folder; any deal-extract output folder (one with a ``manifest.json``
of a batch run) lying in the corpus; symbolic links to files outside the corpus folder,
unless ``follow_symlinks``. What is left out for a reason is listed, so that the manifest can
say so.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from deal_extract.cli.messages import printable
from deal_extract.corpus.database import DATABASE_NAME
from deal_extract.corpus.outputs import MANIFEST_NAME, TABLE_NAMES, ExcludedPath, read_manifest, source_name
from deal_extract.corpus.store import ARTICLES_DIR, TEXTS_DIR
from deal_extract.text.reading import SUPPORTED_SUFFIXES

#: The files a batch writes into its output folder, and its folders there.
OUTPUT_FILES = (MANIFEST_NAME, *TABLE_NAMES, DATABASE_NAME)
OUTPUT_FOLDERS = (ARTICLES_DIR, TEXTS_DIR)
_MANIFEST_MAX_BYTES = 256 * 2**20


class OutputFolderError(ValueError):
    """The output folder cannot be used with this corpus; ``str()`` says why."""


@dataclass
class CorpusScan:
    files: list[tuple[Path, str]] = field(default_factory=list)   # (path, relative posix path)
    excluded: list[ExcludedPath] = field(default_factory=list)


def is_output_folder(folder: Path) -> bool:
    """Whether ``folder`` holds the manifest of a deal-extract batch run."""
    manifest = Path(folder) / MANIFEST_NAME
    try:
        small = manifest.is_file() and manifest.stat().st_size <= _MANIFEST_MAX_BYTES
    except OSError:
        return False
    return small and read_manifest(manifest) is not None


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def check_output_folder(corpus: Path, output: Path) -> None:
    """Refuse an output folder that is the corpus folder, or would put outputs into the corpus
    as articles; a corpus folder that is itself a batch's output; and an output folder where
    a folder (or a device) stands in the place of an output file, or a file in the place of
    ``articles/`` or ``texts/`` (found before any work, not after the extraction)."""
    corpus_real = os.path.realpath(corpus)
    output_real = os.path.realpath(output)
    if corpus_real == output_real:
        raise OutputFolderError(f"output folder {output} is the corpus folder: give -o a folder outside {corpus}")
    if any(_inside(corpus_real, os.path.join(output_real, sub)) for sub in ("articles", "texts")):
        raise OutputFolderError(f"corpus folder {corpus} lies in the outputs of {output}: choose another -o folder")
    if is_output_folder(corpus):
        raise OutputFolderError(f"corpus folder {corpus} is a deal-extract output folder (it has {MANIFEST_NAME}); "
                                "give the folder of the articles")
    problem = output_slot_problem(Path(output))
    if problem:
        raise OutputFolderError(problem)


def output_slot_problem(output: Path) -> Optional[str]:
    """Why a batch could not write one of its outputs into ``output``, or ``None``."""
    for name in OUTPUT_FILES:
        path = output / name
        if path.is_dir():
            return f"{path} is a folder, where the batch writes its {name} file: remove or rename it, or choose another -o folder"
        if path.exists() and not path.is_file():
            return f"{path} is not a regular file (a device, FIFO or socket), where the batch writes its {name} file: remove it"
    for name in OUTPUT_FOLDERS:
        path = output / name
        if path.exists() and not path.is_dir():
            return f"{path} is a file, where the batch keeps its {name}/ folder: remove or rename it, or choose another -o folder"
    return None


def _matches(rel: str, name: str, pattern: Optional[str]) -> bool:
    if pattern is None:
        return True
    if "/" not in pattern:
        return fnmatch.fnmatch(name, pattern)
    return fnmatch.fnmatch(rel, pattern) or (pattern.startswith("**/") and fnmatch.fnmatch(rel, pattern[3:]))


def scan_corpus(corpus: Path, pattern: Optional[str] = None, exclude: Iterable[Path] = (),
                follow_symlinks: bool = False) -> CorpusScan:
    """The files to read (sorted by relative path) and the paths left out for a reason.

    ``pattern`` narrows the files: without ``/`` it matches file names at any depth, with
    ``/`` the relative path (``*`` there also crosses folders). Relative paths are given as
    :func:`~deal_extract.corpus.outputs.source_name` writes them (unique, control characters
    escaped), as they name the inputs in the manifest and in messages.
    """
    corpus = Path(corpus)
    root = os.path.realpath(corpus)
    excluded_dirs = {os.path.realpath(p) for p in exclude}
    scan = CorpusScan()
    for folder, dirs, files in os.walk(corpus):
        kept = []
        for d in sorted(dirs):
            path = Path(folder) / d
            if d.startswith("."):
                continue
            rel = source_name(path.relative_to(corpus).as_posix())
            if os.path.realpath(path) in excluded_dirs:
                scan.excluded.append(ExcludedPath(path=rel, reason="the output folder of this run"))
            elif is_output_folder(path):
                scan.excluded.append(ExcludedPath(path=rel, reason=f"a deal-extract output folder (has {MANIFEST_NAME}); not read"))
            else:
                kept.append(d)
        dirs[:] = kept
        for name in files:
            if name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            path = Path(folder) / name
            posix = path.relative_to(corpus).as_posix()
            if not _matches(posix, name, pattern):
                continue
            rel = source_name(posix)
            if path.is_symlink() and not follow_symlinks:
                target = os.path.realpath(path)
                if not _inside(target, root):
                    scan.excluded.append(ExcludedPath(
                        path=rel, reason=f"symbolic link to {printable(target)}, outside the corpus folder; "
                                         "not followed (--follow-symlinks)"))
                    continue
            scan.files.append((path, rel))
    scan.files.sort(key=lambda pair: pair[1])
    scan.excluded.sort(key=lambda item: item.path)
    return scan


def find_inputs(corpus: Path, pattern: Optional[str] = None, exclude: Iterable[Path] = (),
                follow_symlinks: bool = False) -> list[tuple[Path, str]]:
    """``[(path, relative posix path), ...]`` of the files :func:`scan_corpus` would read."""
    return scan_corpus(corpus, pattern, exclude, follow_symlinks).files

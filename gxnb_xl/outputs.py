"""Writing outputs: the one rule for "may I write this?" and atomic writes.

``check_output`` refuses (``OutputError``, bilingual) an output that is one of the inputs, that
exists without ``force``, that is a folder, whose folder is missing, or whose suffix is not the
one expected. ``write_bytes_atomic`` writes through a temporary file in the same folder and
renames it: a reader never sees a half-written file, and a killed run leaves the old one whole.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError


def check_output(path, *, inputs=(), force: bool = False, suffixes: tuple[str, ...] = ()) -> Path:
    """The output path, or OutputError saying why it may not be written."""
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputError(f"{path.name}：输出文件应以 {' 或 '.join(suffixes)} 结尾",
                          f"{path.name}: the output must end in {' or '.join(suffixes)}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"输出文件夹不存在：{parent}", f"the output folder does not exist: {parent}")
    if path.is_dir():
        raise OutputError(f"输出路径是一个文件夹：{path}；请给出文件名", f"the output path is a folder: {path}; name a file")
    for source in inputs:
        if is_same_file(path, source):
            raise OutputError(f"输出文件 {path} 就是输入文件，已拒绝覆盖；请换一个文件名",
                              f"the output {path} is an input file; refusing to overwrite it")
    if path.exists() and not force:
        raise OutputError(f"文件已存在：{path}。为防止覆盖已有内容，请换一个文件名，或加 --force 覆盖",
                          f"{path} exists; choose another name or pass --force to overwrite it")
    return path


def is_same_file(a, b) -> bool:
    a, b = Path(a), Path(b)
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def write_text_atomic(path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path, data: bytes) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written file."""
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"输出文件夹不存在：{parent}", f"output folder does not exist: {parent}")
    if path.is_dir():
        raise OutputError(f"输出路径是一个文件夹：{path}", f"the output path is a folder: {path}")
    try:
        import tempfile  # here: its import costs ~3 ms at every start of every command
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise _os_error(parent, exc) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for colleagues too
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _os_error(parent, exc) from None
        raise


def _os_error(parent: Path, exc: OSError) -> OutputError:
    import errno
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"没有权限在 {parent} 写入文件（只读或受保护）", f"no permission to write in {parent}")
    if exc.errno == errno.ENOSPC:
        return OutputError(f"磁盘空间已满，无法在 {parent} 写入文件", f"the disk is full; cannot write in {parent}")
    return OutputError(f"无法在 {parent} 写入文件：{exc.strerror or exc}", f"cannot write in {parent}: {exc.strerror or exc}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Downloading dataset files from their public mirrors: progress bar, checksum check, atomic writes.

Each file is streamed to a temporary name in the target folder, its size and
MD5 (and SHA-256 where known) are checked, and only then is it renamed into
place, so an interrupted or corrupted download never leaves a file that looks valid.
"""

from __future__ import annotations

import hashlib
import os
import sys
import urllib.error
import urllib.request
import uuid

from .catalog import RemoteFile

_CHUNK = 1 << 16


class ChecksumError(ValueError):
    """A downloaded file does not match its published size or checksum."""


class CacheNotWritableError(PermissionError):
    """The folder downloads should go to cannot be written."""


class NetworkUnreachableError(OSError):
    """No mirror could be reached at all (no internet); later files need not be tried."""


ENV_OFFLINE = "TEACHTF_OFFLINE"


def downloads_allowed() -> bool:
    """False when $TEACHTF_OFFLINE is set (classroom hubs and CI without internet)."""
    return os.environ.get(ENV_OFFLINE, "") in ("", "0", "false", "False")


def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total or None, unit="B", unit_scale=True, unit_divisor=1024, desc=desc, leave=False)


def ensure_writable_dir(path: str) -> None:
    """Creates `path` if needed; CacheNotWritableError with advice when it cannot be written."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, f".teachtf-write-test-{uuid.uuid4().hex[:8]}")
        with open(probe, "wb"):
            pass
        os.remove(probe)
    except OSError as e:
        raise CacheNotWritableError(
            f"Cannot write dataset files to {path} ({e.strerror or e}). Choose a writable folder: pass dir=... "
            "(or --dir on the command line), or set TEACHTF_DATA_DIR / XDG_CACHE_HOME to a folder you can "
            "write.") from None


def verify(path: str, remote: RemoteFile) -> None:
    """ChecksumError unless the file at `path` has the published size and checksums."""
    size = os.path.getsize(path)
    if size != remote.size:
        raise ChecksumError(f"{remote.name}: expected {remote.size} bytes, got {size}")
    md5, sha = hashlib.md5(), hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            md5.update(chunk)
            if remote.sha256:
                sha.update(chunk)
    if md5.hexdigest() != remote.md5:
        raise ChecksumError(f"{remote.name}: MD5 {md5.hexdigest()} does not match the published {remote.md5}")
    if remote.sha256 and sha.hexdigest() != remote.sha256:
        raise ChecksumError(f"{remote.name}: SHA-256 does not match the published {remote.sha256}")


def fetch(remote: RemoteFile, mirrors, dest_dir: str, progress: bool = True, timeout: float = 20.0) -> str:
    """Downloads `remote` from the first mirror that serves a valid copy into `dest_dir`; returns its path.

    Raises OSError listing every mirror's failure when none works
    (NetworkUnreachableError when no mirror could even be contacted).
    """
    ensure_writable_dir(dest_dir)
    dest = os.path.join(dest_dir, remote.name)
    failures = []
    unreachable = 0
    for base in mirrors:
        url = base if base.endswith(remote.name) else base.rstrip("/") + "/" + remote.name
        tmp = f"{dest}.part-{uuid.uuid4().hex[:8]}"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                total = int(response.headers.get("Content-Length") or remote.size or 0)
                bar = _progress_bar(total, remote.name, progress)
                if bar is None and progress:
                    print(f"Downloading {url} ({remote.size / 1e6:.1f} MB)", file=sys.stderr)
                try:
                    with open(tmp, "wb") as out:
                        for chunk in iter(lambda: response.read(_CHUNK), b""):
                            out.write(chunk)
                            if bar is not None:
                                bar.update(len(chunk))
                        out.flush()
                        os.fsync(out.fileno())
                finally:
                    if bar is not None:
                        bar.close()
            verify(tmp, remote)
            os.replace(tmp, dest)
            return dest
        except urllib.error.HTTPError as e:
            failures.append(f"{url}: HTTP {e.code} {e.reason}")
        except urllib.error.URLError as e:
            failures.append(f"{url}: {e.reason}")
            unreachable += isinstance(e.reason, OSError) and not url.startswith("file:")
        except (OSError, ChecksumError, ValueError) as e:
            failures.append(f"{url}: {e}")
            unreachable += isinstance(e, TimeoutError)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    cls = NetworkUnreachableError if failures and unreachable == len(failures) else OSError
    raise cls(f"Could not download {remote.name}:\n  " + "\n  ".join(failures))

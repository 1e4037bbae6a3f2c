"""The numba-compiled modules (lm_search, ctc_viterbi), imported on first use: numba takes 0.17 s to import, which
runs that never decode with a beam need not pay. Where numba finds nowhere to write its cache (a read-only install and
home, no $NUMBA_CACHE_DIR), it refuses to define the functions; the cache then goes to the temporary folder."""

import importlib
import sys
import tempfile
from pathlib import Path
from types import ModuleType


def load(name: str) -> ModuleType:
    """text_recognizer.<name>, imported with a place for numba's cache."""
    module = f"text_recognizer.{name}"
    try:
        return importlib.import_module(module)
    except RuntimeError as error:
        if "no locator available" not in str(error):
            raise
    import numba

    numba.config.CACHE_DIR = str(Path(tempfile.gettempdir()) / "text_recognizer_numba")
    sys.modules.pop(module, None)
    return importlib.import_module(module)

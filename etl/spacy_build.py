"""Whether the installed spaCy was compiled with Cython's profiling hooks.

spaCy compiles its wheels for Python < 3.12 with Cython's ``profile`` directive. In such a build
every call of the parser's and entity recognizer's small inline state functions (several per token
and per possible action) takes and releases the GIL to ask whether a profiler is listening: about
45 % of the entity recognizer's time on news text. ``make setup`` builds the same release from its
source with the hooks compiled out (``-DCYTHON_PROFILE=0``); its output is the same, token for token.

    python -m etl.spacy_build   ->  exit 0 without the hooks, 1 (and why) with them
"""

from __future__ import annotations

import functools
import sys
import threading


@functools.cache
def profiling_hooks() -> bool:
    """True when spaCy's compiled code reports its calls to a Python profiler (``sys.setprofile``).

    The probe listens in a thread of its own: ``sys.setprofile`` is per thread, so a profiler the
    caller runs (``python -m cProfile``, whose profiler ``sys.setprofile`` cannot put back) is left alone.
    """
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    vocab, files = Vocab(), []

    def probe() -> None:
        sys.setprofile(lambda frame, event, arg: files.append(frame.f_code.co_filename))
        Doc(vocab, words=["probe"])
        sys.setprofile(None)

    thread = threading.Thread(target=probe, name="spacy-profiling-probe")
    thread.start()
    thread.join()
    return any(name.endswith(".pyx") for name in files)


def warning() -> str:
    import spacy

    return (f"spaCy {spacy.__version__} was compiled with Cython's profiling hooks (as its wheels for Python < 3.12 "
            "are): entities and parses come out the same, the model about 2 x slower; `make setup` builds it without them")


def main() -> int:
    if profiling_hooks():
        print(warning(), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Helpers for long management commands: progress (a tqdm bar on a terminal, plain
periodic lines otherwise) and their argument types."""

import sys

PLAIN_PROGRESS_EVERY = 1000


def non_negative(value: str) -> int:
    """argparse type for counts and limits: a whole number, 0 or more."""
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Progress:
    """A progress bar per kind on a terminal; plain periodic lines otherwise (logs, CI).

    Call it as `progress(kind, done, total)`; `close()` when finished.
    """

    @classmethod
    def for_command(cls, command) -> "Progress":
        """Progress on a management command's stderr (the real stream, for isatty)."""
        stderr = command.stderr
        return cls(stderr._out if hasattr(stderr, "_out") else sys.stderr)

    def __init__(self, stream):
        self.stream = stream
        self.bars = {}
        self.interactive = hasattr(stream, "isatty") and stream.isatty()
        self.last_plain = {}

    def __call__(self, kind: str, done: int, total: int) -> None:
        if self.interactive:
            from tqdm import tqdm

            bar = self.bars.get(kind)
            if bar is None:
                bar = self.bars[kind] = tqdm(total=total, desc=kind, file=self.stream, unit="")
            bar.update(done - bar.n)
            return
        step = max(1, min(PLAIN_PROGRESS_EVERY, total // 4 or 1))
        if done == total or done - self.last_plain.get(kind, 0) >= step:
            self.last_plain[kind] = done
            self.stream.write(f"{kind}: {done}/{total}\n")
            self.stream.flush()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()

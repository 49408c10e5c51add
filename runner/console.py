"""What training prints: for people (a progress bar or plain lines) or for
machines (JSON lines), and a plain-text transcript kept for the run directory."""
from __future__ import annotations

import json
import sys
import time

MODES = ("auto", "plain", "quiet", "json")


class Console:
    def __init__(self, mode: str = "auto", stream=None, progress_every: int = 1_000):
        if mode not in MODES:
            raise ValueError(f"unknown console mode {mode!r}; choose one of {', '.join(MODES)}")
        self.stream = stream or sys.stdout
        if mode == "auto":
            mode = "bar" if getattr(self.stream, "isatty", lambda: False)() else "plain"
        self.mode, self.progress_every = mode, progress_every
        self.lines: list[str] = []           # the transcript, always in plain form
        self.started = time.perf_counter()

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    # --- output channels ------------------------------------------------------

    def _say(self, line: str = "") -> None:
        self.lines.append(line)
        if self.mode in ("plain", "bar"):
            if self.mode == "bar":
                self.stream.write("\r\033[K")   # clear the progress bar first
            print(line, file=self.stream, flush=True)

    def _event(self, kind: str, **data) -> None:
        if self.mode == "json":
            print(json.dumps({"event": kind, **data}, sort_keys=True), file=self.stream, flush=True)

    # --- what training reports ------------------------------------------------

    def header(self, cfg, vocab, model, corpus, radius: float, floor: float) -> None:
        self.started = time.perf_counter()
        sentences = f", {corpus['num_sentences']:,} sentences" if corpus["num_sentences"] else ""
        self._say(f"corpus      {corpus['num_chars']:,} characters{sentences}")
        self._say(f"vocabulary  {len(vocab)} characters: {''.join(vocab.chars)!r}")
        self._say(f"model       {model.num_params:,} parameters, hidden {cfg.hidden_size}, "
                  f"{cfg.activation}, init {cfg.init}"
                  + (f", embedding {cfg.embedding_dim}" if cfg.embedding_dim else "")
                  + (", W_hh frozen" if cfg.freeze_whh else ""))
        self._say(f"W_hh        spectral radius {radius:.4f} at initialisation")
        self._say(f"training    {cfg.steps:,} steps of {cfg.seq_len} characters, lr {cfg.lr}, "
                  f"momentum {cfg.momentum}, clip {cfg.clip}, seed {cfg.seed}")
        if floor is not None:
            self._say(f"floor       {floor:.4f} nats/char (entropy rate of the grammar)")
        self._say()
        self._event("header", chars=corpus["num_chars"], vocab=len(vocab), params=model.num_params,
                    spectral_radius=radius, floor=floor)

    def progress(self, step: int, total: int, loss: float, val_loss: float | None) -> None:
        report = step % self.progress_every == 0 or step == total
        redraw = self.mode == "bar" and (step % 100 == 0 or step == total)
        if not (report or redraw):
            return  # called every step: keep the common case free
        elapsed = time.perf_counter() - self.started
        eta = elapsed / step * (total - step)
        val = f"  val {val_loss:.4f}" if val_loss is not None else ""
        if report:
            self.lines.append(f"step {step:>6,}/{total:,}  loss {loss:.4f}{val}")
            if self.mode == "plain":
                print(f"{self.lines[-1]}  {elapsed:5.1f}s  eta {eta:4.1f}s", file=self.stream, flush=True)
            self._event("progress", step=step, loss=loss, val_loss=val_loss, elapsed=round(elapsed, 3))
        if redraw:
            width = 30
            filled = int(width * step / total)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {step:,}/{total:,}"
                              f"  loss {loss:.3f}{val}  eta {eta:4.1f}s")
            self.stream.flush()

    def sample(self, step: int, text: str) -> None:
        self._say(f"--- sample at step {step:,} ---")
        self._say(text)
        self._say()
        self._event("sample", step=step, text=text)

    def diverged(self, step: int, reason: str, cfg) -> None:
        msg = (f"training diverged at step {step:,}: {reason}. "
               f"Try a smaller learning rate (now --lr {cfg.lr}) or a tighter clip (now --clip {cfg.clip}). "
               "Everything recorded up to then is kept.")
        self._say(msg)
        self._event("diverged", step=step, message=msg)
        if self.mode == "quiet":
            print(msg, file=sys.stderr)

    def footer(self, summary: dict, timing: dict) -> None:
        self._say()
        self._say(f"done        {summary['steps']:,} steps in {timing['train_seconds']:.1f}s")
        self._say(f"loss        {_four(summary['final_loss'])} nats/char (mean of the last 1,000 steps)")
        if summary["final_val_loss"] is not None:
            self._say(f"validation  {_four(summary['final_val_loss'])} nats/char at the end, "
                      f"best {_four(summary['best_val_loss'])} at step {summary['best_val_step']:,}")
        if summary["entropy_floor"] is not None:
            self._say(f"floor       {_four(summary['entropy_floor'])} nats/char")
        self._say(f"W_hh        spectral radius {_four(summary['spectral_radius_final'])}")
        if self.mode == "bar":
            self.stream.write("\n")
        self._event("footer", **summary, **timing)


def _four(value: float | None) -> str:
    """Four decimals, or a dash for a number a diverged run could not give."""
    return "-" if value is None else f"{value:.4f}"

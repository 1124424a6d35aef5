// A progress bar on stderr for long builds: redrawn in place on a terminal, a line every 10 % otherwise
// (so logs from CI stay short).

export class Progress {
  private readonly start = Date.now();
  private lastLine = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly quiet = false,
  ) {}

  update(done: number, note = ''): void {
    if (this.quiet) return;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (Date.now() - this.start) / 1000;
    const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : 0;
    const width = 28;
    const filled = Math.round(frac * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const text = `${this.label.padEnd(14)} ${bar} ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${clock(elapsed)} eta ${clock(eta)} ${note}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[2K${text}`);
      if (done >= this.total) process.stderr.write('\n');
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastLine) {
        this.lastLine = decile;
        process.stderr.write(`${text}\n`);
      }
    }
  }

  done(note = ''): void {
    this.update(this.total, note);
  }
}

export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

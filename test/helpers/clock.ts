/** A clock tests move by hand, so expiry and delay rules run without waiting. */
export class FakeClock {
  now: number;

  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.now = start;
  }

  /** The function to pass as the `clock` option. */
  readonly read = (): number => this.now;

  advance(ms: number): void {
    this.now += ms;
  }

  advanceMinutes(minutes: number): void {
    this.now += minutes * 60_000;
  }
}

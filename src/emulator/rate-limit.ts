/** Request limits per login; 0 turns a limit off. */
export interface RateLimitOptions {
  readonly perSecond?: number;
  readonly perHour?: number;
}

interface Usage {
  second: number;
  secondCount: number;
  hour: number;
  hourCount: number;
}

const MS_PER_SECOND = 1000;
const MS_PER_HOUR = 3_600_000;

/**
 * Fixed-window request counter per key: one window per calendar second and one per calendar hour
 * of the emulator's clock. Rejected requests do not count against the limits.
 */
export class RateLimiter {
  private readonly usage = new Map<string, Usage>();

  constructor(
    private readonly perSecond: number,
    private readonly perHour: number,
  ) {}

  /**
   * Counts a request by `key` at `nowMs`. Returns undefined when it is allowed, otherwise the
   * whole seconds (at least 1) until the full window resets, for a `Retry-After` header.
   */
  take(key: string, nowMs: number): number | undefined {
    const usage = this.currentUsage(key, nowMs);
    let retryAfterMs = 0;
    if (this.perSecond > 0 && usage.secondCount >= this.perSecond) {
      retryAfterMs = (usage.second + 1) * MS_PER_SECOND - nowMs;
    }
    if (this.perHour > 0 && usage.hourCount >= this.perHour) {
      retryAfterMs = Math.max(retryAfterMs, (usage.hour + 1) * MS_PER_HOUR - nowMs);
    }
    if (retryAfterMs > 0) {
      return Math.max(1, Math.ceil(retryAfterMs / MS_PER_SECOND));
    }
    usage.secondCount += 1;
    usage.hourCount += 1;
    return undefined;
  }

  private currentUsage(key: string, nowMs: number): Usage {
    const second = Math.floor(nowMs / MS_PER_SECOND);
    const hour = Math.floor(nowMs / MS_PER_HOUR);
    let usage = this.usage.get(key);
    if (usage === undefined) {
      usage = { second, secondCount: 0, hour, hourCount: 0 };
      this.usage.set(key, usage);
    }
    if (usage.second !== second) {
      usage.second = second;
      usage.secondCount = 0;
    }
    if (usage.hour !== hour) {
      usage.hour = hour;
      usage.hourCount = 0;
    }
    return usage;
  }
}

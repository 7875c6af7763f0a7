const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parses a duration given as a number of seconds, as digits (`"90"`), or as
 * text such as `90s`, `5m`, `1h30m` or `7d`. Returns seconds, or undefined when the text is not a
 * duration.
 */
export function parseDurationSeconds(value: number | string): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = DURATION_PATTERN.exec(text);
  if (match === null || text === '') return undefined;

  const [, days, hours, minutes, seconds] = match;
  return (
    Number(days ?? 0) * UNIT_SECONDS.d! +
    Number(hours ?? 0) * UNIT_SECONDS.h! +
    Number(minutes ?? 0) * UNIT_SECONDS.m! +
    Number(seconds ?? 0)
  );
}

/**
 * Formats whole minutes for people: `1 day`, `1 hour, 30 minutes`,
 * `2 days, 3 hours`. Zero is `0 minutes`.
 */
export function formatMinutes(totalMinutes: number): string {
  const minutesPerDay = 24 * 60;
  const days = Math.floor(totalMinutes / minutesPerDay);
  const hours = Math.floor((totalMinutes % minutesPerDay) / 60);
  const minutes = Math.floor(totalMinutes % 60);

  const parts: string[] = [];
  if (days > 0) parts.push(plural(days, 'day'));
  if (hours > 0) parts.push(plural(hours, 'hour'));
  if (minutes > 0) parts.push(plural(minutes, 'minute'));
  return parts.length === 0 ? '0 minutes' : parts.join(', ');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

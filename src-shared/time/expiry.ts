/**
 * Expiry dates as operators type them. A date alone (`2030-12-31`) means the end of that day in
 * the operator's time zone (the `timeZone` setting); a date-time carries its own offset. The API,
 * the account form and the CSV import all read expiries through `expiryMs`.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `text` is a calendar date without a time that exists (no 31 February). */
export function isDateOnly(text: string): boolean {
  const match = DATE_ONLY.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Whether `name` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** How far the wall clock of `timeZone` is ahead of UTC at the instant `ms`, in milliseconds. */
function offsetAt(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wallClock = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return wallClock - Math.floor(ms / 1000) * 1000;
}

/** The last second (23:59:59) of the calendar day `date` (YYYY-MM-DD) in `timeZone`, as epoch ms. */
export function endOfDayMs(date: string, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number);
  const nextMidnightAsUtc = Date.UTC(year, month - 1, day + 1);
  // The offset at the guess, then again at the corrected instant (right across DST changes).
  const guess = nextMidnightAsUtc - offsetAt(nextMidnightAsUtc, timeZone);
  const nextMidnight = nextMidnightAsUtc - offsetAt(guess, timeZone);
  return nextMidnight - 1000;
}

/** The instant an expiry as typed stands for: a date alone is the end of that day in `timeZone`. */
export function expiryMs(text: string, timeZone: string): number {
  return isDateOnly(text) ? endOfDayMs(text, timeZone) : Date.parse(text);
}

/** The calendar date (YYYY-MM-DD) of the instant `ms` in `timeZone`: what a date-only field shows. */
export function calendarDateIn(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
}

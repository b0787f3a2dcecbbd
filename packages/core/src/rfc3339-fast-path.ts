const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;

/**
 * Epoch microseconds of the RFC 3339 timestamps clients send most (`2026-01-02T15:04:05.123Z`,
 * `… 15:04:05+02:00`), read field by field; undefined for anything it does not take, which the
 * general parser (pattern + `Date.parse`) then decides. It only takes what that parser reads the
 * same way: years 1000–9999, days up to the 28th (later days are left to the general parser,
 * which knows each month's length), hours, minutes, seconds and zone offsets in their ranges.
 * Fractions keep their first six digits, as the general parser does.
 */
export function fastRfc3339Micros(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length > 35) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const separator = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    (separator !== 0x54 /* T */ && separator !== 0x74 /* t */ && separator !== 0x20) ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    year < 1000 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 28 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return undefined;
  let pos = 19;
  let micros = 0;
  if (text.charCodeAt(pos) === DOT) {
    pos++;
    const start = pos;
    while (pos < length && isDigit(text.charCodeAt(pos))) {
      if (pos - start < 6) micros = micros * 10 + (text.charCodeAt(pos) - 0x30);
      pos++;
    }
    const count = pos - start;
    if (count === 0 || count > 9) return undefined;
    for (let i = count; i < 6; i++) micros *= 10;
  }
  const offsetMinutes = zoneOffsetMinutes(text, pos);
  if (offsetMinutes === undefined) return undefined;
  return (Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000) * 1000 + micros;
}

/** The zone at `pos` (`Z`, `z` or `±HH:MM`, ending the text) in minutes east of UTC. */
function zoneOffsetMinutes(text: string, pos: number): number | undefined {
  const zone = text.charCodeAt(pos);
  if (zone === 0x5a /* Z */ || zone === 0x7a /* z */) return pos + 1 === text.length ? 0 : undefined;
  if ((zone !== PLUS && zone !== DASH) || pos + 6 !== text.length || text.charCodeAt(pos + 3) !== COLON)
    return undefined;
  const hours = digits(text, pos + 1, 2);
  const minutes = digits(text, pos + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
  return (zone === PLUS ? 1 : -1) * (hours * 60 + minutes);
}

/** The decimal number of `count` ASCII digits from `start`, or -1 if one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 0x30);
  }
  return value;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Full-width ASCII (！-～ and the ideographic space) to half-width. */
export function toHalfWidth(input: string): string {
  return input
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\u3000/g, ' ');
}

const COMPANY_SUFFIXES = ['股份有限公司', '有限责任公司', '有限公司', '集团公司', '公司'];

/** Bidi controls (U+202A–202E, U+2066–2069) and zero-width characters (U+200B–200D, U+2060, U+FEFF). */
const INVISIBLE = /[\u202A-\u202E\u2066-\u2069\u200B-\u200D\u2060\uFEFF]/g;

/**
 * A name as stored, from every door: Unicode NFC, no bidi controls or zero-width characters, runs
 * of whitespace (full-width too) as one space, trimmed. SQLite compares bytes while MariaDB's
 * collation ignores some of these characters, so without this the duplicate check would differ.
 */
export function cleanName(input: string): string {
  return input
    .normalize('NFC')
    .replace(INVISIBLE, '')
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/** A name as compared for search and duplicates: half-width, no spaces or punctuation, no company suffix, lower-case. */
export function normalizeName(name: string): string {
  let s = toHalfWidth(cleanName(name))
    .replace(/[\s·.,()（）\-_]/g, '')
    .toLowerCase();
  for (const suffix of COMPANY_SUFFIXES) {
    // The longest matching suffix decides; a name that is nothing but a suffix stays as it is.
    if (s.endsWith(suffix)) {
      if (s.length > suffix.length) s = s.slice(0, -suffix.length);
      break;
    }
  }
  return s;
}

/** A phone number reduced to digits (and a leading +), from text, numbers or scientific notation. */
export function normalizePhone(input: string | number): string {
  let s = typeof input === 'number' ? input.toFixed(0) : toHalfWidth(input).trim();
  if (/^\d(\.\d+)?e\+?\d+$/i.test(s)) s = Number(s).toFixed(0);
  // A phone kept as a float by another program (13000000000.0): the decimals are not digits.
  else if (/^\d+\.0+$/.test(s)) s = s.replace(/\.0+$/, '');
  const plus = s.startsWith('+');
  s = s.replace(/[^\d]/g, '');
  if (plus && s.startsWith('86') && s.length === 13) s = s.slice(2);
  return s;
}

/** Strips control characters (keeps newline and tab) and trims. */
export function cleanText(input: string): string {
  // eslint-disable-next-line no-control-regex
  return input.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim();
}

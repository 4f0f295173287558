import { cleanText, toHalfWidth } from '../../core/text.js';

/** The text after forgiving normalisation: half-width, one space, no leading @bot, ASCII colons. */
export function normalizeInput(raw: string): string {
  let s = toHalfWidth(cleanText(raw)).replace(/[\u200b-\u200d\ufeff]/g, '');
  s = s.replace(/[：]/g, ':').replace(/＝/g, '=').replace(/\s+/g, ' ').trim();
  // A group message starts with the bot's @name (WeCom AI bot, DingTalk); drop any leading mentions.
  while (/^@\S+\s/.test(s)) s = s.replace(/^@\S+\s+/, '');
  if (/^@\S+$/.test(s)) s = '';
  return s;
}

export interface ParsedArgs {
  positional: string[];
  named: Record<string, string>;
  /** Every word after the command, in order (a repeated `标签:值` keeps each one here). */
  tokens: string[];
}

/** Splits `停用客户 C001 原因=客户要求 备注:搬迁` into positional and named parts. */
export function splitArgs(rest: string): ParsedArgs {
  const positional: string[] = [];
  const named: Record<string, string> = {};
  const tokens = rest.split(' ').filter(Boolean);
  for (const token of tokens) {
    const m = /^([^=:]{1,12})[=:](.*)$/.exec(token);
    if (m && m[2] !== '') named[m[1]!.trim().toLowerCase()] = m[2]!.trim();
    else positional.push(token);
  }
  return { positional, named, tokens };
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

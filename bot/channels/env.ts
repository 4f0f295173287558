/**
 * Helpers for a channel's own env block (read from `core.config.env`): the same kind of Chinese
 * messages core/config.ts gives, naming the variable, what it should be, and what it was.
 */

/** How one variable is checked; `expect` is what the message tells the operator. */
export interface EnvSpec {
  expect: string;
  pattern?: RegExp;
  values?: readonly string[];
}

/** A variable's value, with '' (an empty line in .env) counted as absent. */
export function envValue(env: Record<string, string | undefined>, key: string): string | undefined {
  const v = env[key];
  return v === undefined || v === '' ? undefined : v;
}

/** One message per set variable that does not match its spec. */
export function envProblems(env: Record<string, string | undefined>, specs: Record<string, EnvSpec>): string[] {
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    const v = envValue(env, key);
    if (v === undefined) continue;
    if ((spec.pattern && !spec.pattern.test(v)) || (spec.values && !spec.values.includes(v))) {
      problems.push(`${key} 应为 ${spec.expect}, 实际为 ${JSON.stringify(v)}`);
    }
  }
  return problems;
}

/** A message for a variable that is needed by another one that is set. */
export function missing(key: string, because: string): string {
  return `缺少 ${key} (${because})`;
}

export const URL_SPEC: EnvSpec = { pattern: /^https?:\/\/\S+$/, expect: 'http(s):// 开头的地址 (an http(s) URL)' };
export const AES_KEY_SPEC: EnvSpec = {
  pattern: /^[A-Za-z0-9+/]{43}$/,
  expect: '43 个字符的 EncodingAESKey (43-char EncodingAESKey)',
};
export const TEXT_SPEC = (expect: string): EnvSpec => ({ pattern: /\S/, expect });

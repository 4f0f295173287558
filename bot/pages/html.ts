/** Escapes text for HTML content and attribute values. */
export const esc = (s: unknown): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A whole zh-CN page for a phone screen (the messengers' in-app browsers). */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="same-origin"><title>${esc(title)}</title>
<style>body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:480px;margin:24px auto;padding:0 16px;color:#222}
dt{color:#666;font-size:14px}dd{margin:0 0 12px}textarea{width:100%;min-height:64px}input[name=code]{font-size:20px;letter-spacing:4px;width:8em}
button{font-size:16px;padding:8px 20px;margin:0 12px 8px 0;border:0;border-radius:4px;color:#fff;background:#2f54eb}
.ok,.keep{background:#1a7f37}.no,.off{background:#b42318}.msg{padding:12px;border-radius:4px;background:#f4f4f5;white-space:pre-line}.err{background:#fdecea}</style></head><body><h2>${esc(title)}</h2>${body}</body></html>`;
}

/** A notice box; `error` marks a refusal. */
export function notice(text: string, error = false): string {
  return text ? `<p class="msg${error ? ' err' : ''}" role="${error ? 'alert' : 'status'}">${esc(text)}</p>` : '';
}

/** A definition list of label → already-escaped HTML. */
export function facts(rows: [string, string][]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('\n')}</dl>`;
}

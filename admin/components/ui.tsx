import React from 'react';
import { ApiClient, ViewHelpers, type NoticeMessage, type RecordJSON } from 'adminjs';

export const api = new ApiClient();
export const h = new ViewHelpers();

export type Blocker = { kind: string; text: string };
export type Precheck = {
  blockers: Blocker[];
  suggestion?: string | null;
  historyText?: string;
  history?: { top: boolean };
};
export type Revealed = { phone: string | null; address: string | null; contact: string | null };

/** What the record actions answer (see admin/actions): a notice, the record, and refusal details. */
export type ActionAnswer = {
  notice?: NoticeMessage;
  record?: RecordJSON;
  error?: { code: string; details?: { blockers?: Blocker[] } };
  precheck?: Precheck;
  revealed?: Revealed;
};

/** Posts a record action as a form (what AdminJS's own forms send) and returns the JSON answer. */
export async function postRecordAction(
  resourceId: string,
  recordId: string,
  actionName: string,
  fields: Record<string, string>,
) {
  const data = new FormData();
  Object.entries(fields).forEach(([k, v]) => data.set(k, v));
  const response = await api.recordAction({
    resourceId,
    recordId,
    actionName,
    method: 'post',
    data,
    headers: { 'Content-Type': 'multipart/form-data' },
  });
  return response.data as ActionAnswer;
}

/** The message of a failed request, in Chinese. */
export function requestFailed(err: unknown): string {
  const status = (err as { response?: { status?: number } } | null)?.response?.status ?? null;
  if (status === 403) return '你没有权限执行这个操作。';
  return `请求失败${status ? ` (HTTP ${status})` : ''}, 请稍后再试。`;
}

export const box: React.CSSProperties = {
  background: '#fff',
  borderRadius: 8,
  padding: 24,
  boxShadow: '0 1px 3px rgba(0,0,0,0.08)',
  marginBottom: 16,
};
export const field: React.CSSProperties = {
  display: 'block',
  width: '100%',
  padding: '8px 10px',
  border: '1px solid #c0c4d0',
  borderRadius: 4,
  fontSize: 14,
  boxSizing: 'border-box',
};
export const labelStyle: React.CSSProperties = {
  display: 'block',
  fontWeight: 600,
  margin: '16px 0 6px',
  fontSize: 14,
};
export const errorText: React.CSSProperties = { color: '#c20012', fontSize: 13, marginTop: 4 };

export type FieldErrors = Record<string, { message: string }>;

/** Core's message for one form field, under that field. */
export const FieldError = ({ errors, name }: { errors: FieldErrors; name: string }) =>
  errors[name] ? <div style={errorText}>{errors[name].message}</div> : null;

/** A red box with a refusal message (kept line breaks: core's lists come one per line). */
export const ErrorBox = ({ message, testId }: { message: string | null; testId?: string }) =>
  message ? (
    <div
      data-testid={testId || 'action-error'}
      style={{
        background: '#fff1f0',
        border: '1px solid #ffa39e',
        color: '#a8071a',
        borderRadius: 6,
        padding: '12px 16px',
        margin: '12px 0',
        whiteSpace: 'pre-wrap',
      }}
    >
      {message}
    </div>
  ) : null;

export const primaryButton = (danger?: boolean): React.CSSProperties => ({
  background: danger ? '#c20012' : '#3040d6',
  color: '#fff',
  border: 'none',
  borderRadius: 4,
  padding: '10px 20px',
  fontSize: 14,
  cursor: 'pointer',
  marginTop: 20,
});

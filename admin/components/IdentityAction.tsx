import React, { useState } from 'react';
import { useNotice, type ActionProps, type RecordJSON } from 'adminjs';
import {
  ErrorBox,
  FieldError,
  box,
  field,
  labelStyle,
  postRecordAction,
  primaryButton,
  requestFailed,
  type FieldErrors,
} from './ui';

type Identity = { channel: string; externalId: string; label: string };
type Choice = { id: string; label: string };

const parse = <T,>(v: unknown): T[] => {
  try {
    return JSON.parse(String(v || '[]')) as T[];
  } catch {
    return [];
  }
};

const OTHER = '__other__';

/** What 解除关联 asks first: after it, the bot no longer knows this person on that messenger. */
const unlinkQuestion = (record: RecordJSON, i: Identity) =>
  `解除 ${record.title} 的${i.label}账号 ${i.externalId}? 之后此人在${i.label}里发消息将不再被识别。`;

type ListProps = {
  record: RecordJSON;
  identities: Identity[];
  busy: boolean;
  unlink: (i: Identity) => void;
  fieldErrors: FieldErrors;
};

/** The operator's linked accounts, each with 解除关联. */
const IdentityList = ({ record, identities, busy, unlink, fieldErrors }: ListProps) => (
  <div style={box} data-testid="identity-list">
    <div style={{ fontSize: 16, fontWeight: 600 }}>{record.title} 的聊天账号</div>
    {identities.length ? (
      <table style={{ marginTop: 12, borderCollapse: 'collapse' }}>
        <tbody>
          {identities.map((i) => (
            <tr key={i.channel}>
              <td style={{ padding: '6px 16px 6px 0' }}>
                {i.label} ({i.channel})
              </td>
              <td style={{ padding: '6px 16px 6px 0', fontFamily: 'monospace' }}>{i.externalId}</td>
              <td>
                <button type="button" disabled={busy} onClick={() => unlink(i)} data-testid={`unlink-${i.channel}`}>
                  解除关联
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    ) : (
      <p style={{ color: '#666' }}>还没有关联任何聊天账号: 此人在聊天里发消息时机器人认不出是谁。</p>
    )}
    <FieldError errors={fieldErrors} name="channel" />
  </div>
);

type Setter = (v: string) => void;
type FormProps = {
  channels: Choice[];
  channel: string;
  setChannel: Setter;
  otherChannel: string;
  setOtherChannel: Setter;
  externalId: string;
  setExternalId: Setter;
  busy: boolean;
  error: string | null;
  fieldErrors: FieldErrors;
  onSubmit: (event: React.FormEvent) => void;
};

/** Links one more account: a known channel or another one by its id, and the user id on that platform. */
const LinkForm = (p: FormProps) => {
  const { channels, channel, setChannel, otherChannel, setOtherChannel, externalId, setExternalId, busy } = p;
  const { error, fieldErrors, onSubmit } = p;
  return (
    <form style={box} onSubmit={onSubmit} data-testid="identity-form">
      <div style={{ fontSize: 16, fontWeight: 600 }}>关联聊天账号</div>
      <p style={{ margin: '8px 0', color: '#666' }}>
        每个渠道一个账号; 再次关联同一渠道会替换原账号。账号 ID 是该平台的用户 ID (企业微信 UserID、钉钉 userId、飞书
        open_id)。
      </p>
      <label style={labelStyle} htmlFor="channel">
        渠道 *
      </label>
      <select id="channel" name="channel" style={field} value={channel} onChange={(e) => setChannel(e.target.value)}>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {c.label} ({c.id})
          </option>
        ))}
        <option value={OTHER}>其他渠道…</option>
      </select>
      {channel === OTHER ? (
        <input
          aria-label="渠道 ID"
          placeholder="渠道 ID, 例如 slack"
          style={{ ...field, marginTop: 8 }}
          value={otherChannel}
          onChange={(e) => setOtherChannel(e.target.value)}
          maxLength={32}
        />
      ) : null}
      <label style={labelStyle} htmlFor="externalId">
        账号 ID *
      </label>
      <input
        id="externalId"
        name="externalId"
        style={field}
        value={externalId}
        onChange={(e) => setExternalId(e.target.value)}
        maxLength={128}
        required
      />
      <FieldError errors={fieldErrors} name="externalId" />
      <ErrorBox message={error} />
      <button type="submit" style={primaryButton()} disabled={busy} data-testid="identity-submit">
        {busy ? '处理中…' : '关联'}
      </button>
    </form>
  );
};

/** 关联聊天账号: the operator's linked chat accounts (each with 解除关联), and a form to link one more. */
const IdentityAction = (props: ActionProps) => {
  const { action, resource } = props;
  const [record, setRecord] = useState<RecordJSON>(props.record!);
  const identities = parse<Identity>(record.params.identitiesJson);
  const channels = parse<Choice>(record.params.channelsJson);
  const [channel, setChannel] = useState(channels[0] ? channels[0].id : OTHER);
  const [otherChannel, setOtherChannel] = useState('');
  const [externalId, setExternalId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const addNotice = useNotice();

  const send = async (fields: Record<string, string>) => {
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const data = await postRecordAction(resource.id, record.id, action.name, fields);
      if (data.notice) addNotice(data.notice);
      if (data.notice && data.notice.type === 'error') {
        setError(data.notice.message);
        setFieldErrors(((data.record && data.record.errors) || {}) as FieldErrors);
      } else if (data.record) {
        setRecord(data.record);
        setExternalId('');
      }
    } catch (err) {
      setError(requestFailed(err));
    }
    setBusy(false);
  };

  const link = (event: React.FormEvent) => {
    event.preventDefault();
    void send({ op: 'link', channel: channel === OTHER ? otherChannel.trim() : channel, externalId });
  };
  const unlink = (i: Identity) => {
    if (window.confirm(unlinkQuestion(record, i))) void send({ op: 'unlink', channel: i.channel });
  };

  return (
    <div>
      <IdentityList record={record} identities={identities} busy={busy} unlink={unlink} fieldErrors={fieldErrors} />
      <LinkForm
        channels={channels}
        channel={channel}
        setChannel={setChannel}
        otherChannel={otherChannel}
        setOtherChannel={setOtherChannel}
        externalId={externalId}
        setExternalId={setExternalId}
        busy={busy}
        error={error}
        fieldErrors={fieldErrors}
        onSubmit={link}
      />
    </div>
  );
};

export default IdentityAction;

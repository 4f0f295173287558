import protobuf from 'protobufjs';

/**
 * The long connection's pbbp2 frames, as @larksuiteoapi/node-sdk encodes them (its bundled proto2
 * schema, written out again here so the fake is an independent reading of the protocol).
 */
const root = protobuf.Root.fromJSON({
  nested: {
    pbbp2: {
      nested: {
        Header: {
          fields: {
            key: { rule: 'required', type: 'string', id: 1 },
            value: { rule: 'required', type: 'string', id: 2 },
          },
        },
        Frame: {
          fields: {
            SeqID: { rule: 'required', type: 'uint64', id: 1 },
            LogID: { rule: 'required', type: 'uint64', id: 2 },
            service: { rule: 'required', type: 'int32', id: 3 },
            method: { rule: 'required', type: 'int32', id: 4 },
            headers: { rule: 'repeated', type: 'Header', id: 5 },
            payloadEncoding: { type: 'string', id: 6 },
            payloadType: { type: 'string', id: 7 },
            payload: { type: 'bytes', id: 8 },
            LogIDNew: { type: 'string', id: 9 },
          },
        },
      },
    },
  },
});
const FrameType = root.lookupType('pbbp2.Frame');

export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  /** 0 control (ping/pong), 1 data (events). */
  method: number;
  headers: { key: string; value: string }[];
  payload?: Uint8Array;
}

/** A frame as bytes on the wire. */
export function encodeFrame(f: Frame): Buffer {
  return Buffer.from(FrameType.encode(FrameType.fromObject(f)).finish());
}

/** Bytes from the wire as a frame (uint64s as numbers); throws on anything else. */
export function decodeFrame(buf: Buffer): Frame {
  return FrameType.toObject(FrameType.decode(buf), { longs: Number, defaults: true }) as Frame;
}

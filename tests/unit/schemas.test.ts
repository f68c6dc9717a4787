import { loadConfig } from '../../src/config';
import { REPORT_REASONS } from '../../src/contract/events';
import { createSchemas, type ClientEventName } from '../../src/realtime/schemas';

const schemas = createSchemas(loadConfig({}).limits);
const EVENTS = Object.keys(schemas) as ClientEventName[];
const ROOM = 'room-1';

function accepts(event: ClientEventName, payload: unknown): unknown {
  const result = schemas[event].safeParse(payload);
  if (!result.success) throw new Error(`${event} refused ${JSON.stringify(payload)}: ${result.error.message}`);
  return result.data;
}

function refuses(event: ClientEventName, payload: unknown): boolean {
  return !schemas[event].safeParse(payload).success;
}

const sdp = (length: number, char = 'a') => char.repeat(length);

/** One valid payload per event, used as the base for mutations. */
const VALID: Record<ClientEventName, unknown> = {
  join: { type: 'chat' },
  send_message: { roomId: ROOM, message: 'hi' },
  typing: { roomId: ROOM, isTyping: true },
  offer: { roomId: ROOM, offer: { type: 'offer', sdp: 'v=0' } },
  answer: { roomId: ROOM, answer: { type: 'answer', sdp: 'v=0' } },
  ice_candidate: {
    roomId: ROOM,
    candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host', sdpMid: '0', sdpMLineIndex: 0 },
  },
  leave_room: { roomId: ROOM },
  leave_queue: {},
  next: {},
  report: { roomId: ROOM, reason: 'spam' },
  block: { roomId: ROOM },
};

const EMPTY_PAYLOAD_EVENTS: ClientEventName[] = ['leave_queue', 'next'];

test('there is a schema for every client event and a valid example for each', () => {
  expect([...EVENTS].sort()).toEqual(Object.keys(VALID).sort());
  for (const event of EVENTS) accepts(event, VALID[event]);
});

describe('payloads that are not objects', () => {
  const notObjects: Array<[string, unknown]> = [
    ['a number', 42],
    ['a string', 'join'],
    ['a boolean', true],
    ['an array', [VALID.join]],
    ['an empty array', []],
    ['a Buffer', Buffer.from('{"type":"chat"}')],
    ['a Uint8Array', new Uint8Array([1, 2, 3])],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a function', () => VALID.join],
  ];

  const BINARY = new Set(['a Buffer', 'a Uint8Array', 'an ArrayBuffer']);
  const accepted = (event: ClientEventName, what: string) => EMPTY_PAYLOAD_EVENTS.includes(event) && BINARY.has(what);

  test.each(
    EVENTS.flatMap((event) =>
      notObjects.filter(([what]) => !accepted(event, what)).map(([what, payload]) => [event, what, payload] as const),
    ),
  )('%s refuses %s', (event, _what, payload) => {
    expect(refuses(event, payload)).toBe(true);
  });

  test.each(EVENTS.filter((event) => !EMPTY_PAYLOAD_EVENTS.includes(event)))('%s refuses null and undefined', (event) => {
    expect(refuses(event, null)).toBe(true);
    expect(refuses(event, undefined)).toBe(true);
  });

  // Server bug (reported): z.object({}) accepts Buffers and typed arrays, so `leave_queue`/`next` run
  // on a binary payload instead of refusing it with INVALID_PAYLOAD.
  test.each(
    EMPTY_PAYLOAD_EVENTS.flatMap((event) =>
      notObjects.filter(([what]) => BINARY.has(what)).map(([what, payload]) => [event, what, payload] as const),
    ),
  )('%s refuses %s', (event, _what, payload) => {
    expect(refuses(event, payload)).toBe(true);
  });

  test.each(EMPTY_PAYLOAD_EVENTS)('%s takes no payload, null, or an object, and always yields {}', (event) => {
    expect(accepts(event, undefined)).toEqual({});
    expect(accepts(event, null)).toEqual({});
    expect(accepts(event, {})).toEqual({});
    expect(accepts(event, { roomId: ROOM, sneaky: true })).toEqual({});
  });
});

describe('unknown and dangerous keys', () => {
  test.each(EVENTS)('%s drops unknown keys', (event) => {
    const payload = { ...(VALID[event] as object), extra: 'x', sender: 'spoofed', admin: true };
    const parsed = accepts(event, payload) as Record<string, unknown>;
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed).not.toHaveProperty('sender');
    expect(parsed).not.toHaveProperty('admin');
  });

  test.each(EVENTS)('%s: __proto__, constructor and prototype keys are harmless', (event) => {
    const base = JSON.stringify(VALID[event]).slice(1, -1);
    const comma = base ? ',' : '';
    const malicious = JSON.parse(
      `{${base}${comma}"__proto__":{"polluted":"yes","type":"video","isTyping":false},` +
        `"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}`,
    );
    const parsed = accepts(event, malicious) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(parsed.polluted).toBeUndefined();
    expect(Object.keys(parsed)).not.toEqual(expect.arrayContaining(['__proto__']));
    expect(Object.prototype.hasOwnProperty.call(parsed, 'constructor')).toBe(false);
    expect(Object.prototype.hasOwnProperty.call(parsed, 'prototype')).toBe(false);
    expect(parsed).toEqual(accepts(event, VALID[event]));
  });

  test('nested __proto__ in preferences and candidate cannot supply fields', () => {
    const join = accepts(
      'join',
      JSON.parse('{"type":"chat","preferences":{"__proto__":{"interests":["evil"],"language":"xx"}}}'),
    ) as { preferences: unknown };
    expect(join.preferences).toEqual({ interests: [], language: undefined });
    expect(refuses('ice_candidate', JSON.parse('{"roomId":"r","candidate":{"__proto__":{"candidate":"evil"}}}'))).toBe(true);
    expect(refuses('send_message', JSON.parse('{"roomId":"r","__proto__":{"message":"evil"}}'))).toBe(true);
    expect(({} as Record<string, unknown>).candidate).toBeUndefined();
  });

  test("fields inherited from a payload's prototype leak nothing into Object.prototype", () => {
    const inherited = Object.create({ roomId: ROOM, message: 'from the prototype' });
    // zod reads properties with normal lookup, so this payload is accepted; what matters is that nothing
    // leaks into Object.prototype (a payload off the wire carries own keys only)
    schemas.send_message.safeParse(inherited);
    expect(Object.prototype).not.toHaveProperty('message');
  });
});

describe('binary', () => {
  test.each([
    ['send_message', { roomId: ROOM, message: Buffer.from('hi') }],
    ['send_message', { roomId: Buffer.from(ROOM), message: 'hi' }],
    ['typing', { roomId: ROOM, isTyping: Buffer.from([1]) }],
    ['offer', { roomId: ROOM, offer: { type: 'offer', sdp: Buffer.from('v=0') } }],
    ['offer', { roomId: ROOM, offer: Buffer.from('v=0') }],
    ['answer', { roomId: ROOM, answer: { type: 'answer', sdp: new Uint8Array(8) } }],
    ['ice_candidate', { roomId: ROOM, candidate: { candidate: Buffer.from('c') } }],
    ['ice_candidate', { roomId: ROOM, candidate: Buffer.from('c') }],
    ['join', { type: Buffer.from('chat') }],
    ['join', { type: 'chat', userId: Buffer.from('me') }],
    ['join', { type: 'chat', preferences: { interests: [Buffer.from('music')] } }],
    ['report', { roomId: ROOM, reason: 'spam', details: Buffer.from('x') }],
    ['leave_room', { roomId: new Uint8Array(4) }],
  ] as Array<[ClientEventName, unknown]>)('%s refuses a binary field (%#)', (event, payload) => {
    expect(refuses(event, payload)).toBe(true);
  });

  // Server bug (reported): same root cause, a Buffer is taken for an empty preferences object.
  test('join refuses binary preferences', () => {
    expect(refuses('join', { type: 'chat', preferences: Buffer.from('{}') })).toBe(true);
  });

  test('binary under an unknown key is simply dropped', () => {
    expect(accepts('join', { type: 'chat', attachment: Buffer.alloc(16) })).not.toHaveProperty('attachment');
  });
});

describe('join', () => {
  test('normalises the payload', () => {
    expect(accepts('join', { type: 'video' })).toEqual({ type: 'video', preferences: { interests: [], language: undefined } });
    expect(accepts('join', { type: 'chat', userId: 'label', preferences: null })).toEqual({
      type: 'chat',
      userId: 'label',
      preferences: { interests: [], language: undefined },
    });
  });

  test.each([{}, { type: 'audio' }, { type: 'CHAT' }, { type: ['chat'] }, { type: 1 }, { type: 'chat', userId: 5 }])(
    'refuses %j',
    (payload) => {
      expect(refuses('join', payload)).toBe(true);
    },
  );

  test('userId is a bounded string label', () => {
    accepts('join', { type: 'chat', userId: 'u'.repeat(256) });
    expect(refuses('join', { type: 'chat', userId: 'u'.repeat(257) })).toBe(true);
  });

  test('interests: trimmed, lower-cased, de-duplicated, at most 10 of at most 32 characters', () => {
    const parsed = accepts('join', {
      type: 'chat',
      preferences: { interests: [' Music ', 'music', 'MUSIC', 'Chess', 'chess '] },
    }) as { preferences: { interests: string[] } };
    expect(parsed.preferences.interests).toEqual(['music', 'chess']);
    const ten = Array.from({ length: 10 }, (_, i) => `topic${i}`);
    expect((accepts('join', { type: 'chat', preferences: { interests: ten } }) as any).preferences.interests).toEqual(ten);
    expect(refuses('join', { type: 'chat', preferences: { interests: [...ten, 'eleven'] } })).toBe(true);
    accepts('join', { type: 'chat', preferences: { interests: ['x'.repeat(32)] } });
    expect(refuses('join', { type: 'chat', preferences: { interests: ['x'.repeat(33)] } })).toBe(true);
    expect(refuses('join', { type: 'chat', preferences: { interests: ['   '] } })).toBe(true);
    expect(refuses('join', { type: 'chat', preferences: { interests: 'music' } })).toBe(true);
    expect(refuses('join', { type: 'chat', preferences: { interests: [1] } })).toBe(true);
  });

  test.each([
    ['en', 'en'],
    ['EN', 'en'],
    [' pt-BR ', 'pt'],
    ['en-US', 'en'],
    ['zh-Hant-TW', 'zh'],
    ['sr-Latn-RS', 'sr'],
    ['yue', 'yue'],
    ['de-CH-1996', 'de'],
  ])('language %j normalises to %j', (language, primary) => {
    expect((accepts('join', { type: 'chat', preferences: { language } }) as any).preferences.language).toBe(primary);
  });

  test.each(['english', 'e', '12', 'en_US', 'en-', '-en', 'en-toolongsubtag', '', 'en US', 'en-US;drop'])(
    'language %j is refused',
    (language) => {
      expect(refuses('join', { type: 'chat', preferences: { language } })).toBe(true);
    },
  );
});

describe('send_message', () => {
  test('trims the text', () => {
    expect(accepts('send_message', { roomId: `  ${ROOM} `, message: '  hello  ' })).toEqual({ roomId: ROOM, message: 'hello' });
  });

  test('refuses empty or whitespace-only text, and non-strings', () => {
    for (const message of ['', '   ', '\n\t', undefined, null, 5, ['hi'], { text: 'hi' }]) {
      expect(refuses('send_message', { roomId: ROOM, message })).toBe(true);
    }
  });

  test('accepts 2000 characters by default and refuses 2001, counted after trimming', () => {
    accepts('send_message', { roomId: ROOM, message: 'x'.repeat(2000) });
    accepts('send_message', { roomId: ROOM, message: `   ${'x'.repeat(2000)}   ` });
    expect(refuses('send_message', { roomId: ROOM, message: 'x'.repeat(2001) })).toBe(true);
  });

  test('the maximum follows MAX_MESSAGE_LENGTH', () => {
    const small = createSchemas(loadConfig({ MAX_MESSAGE_LENGTH: '10' }).limits);
    expect(small.send_message.safeParse({ roomId: ROOM, message: 'x'.repeat(10) }).success).toBe(true);
    expect(small.send_message.safeParse({ roomId: ROOM, message: 'x'.repeat(11) }).success).toBe(false);
  });
});

describe('room ids', () => {
  const roomEvents: ClientEventName[] = [
    'send_message',
    'typing',
    'offer',
    'answer',
    'ice_candidate',
    'leave_room',
    'report',
    'block',
  ];

  test.each(roomEvents)('%s: roomId is a required, non-empty string of at most 128 characters', (event) => {
    const base = VALID[event] as Record<string, unknown>;
    for (const roomId of [undefined, null, '', '   ', 7, ['r'], { id: 'r' }, 'r'.repeat(129)]) {
      expect(refuses(event, { ...base, roomId })).toBe(true);
    }
    expect(accepts(event, { ...base, roomId: 'r'.repeat(128) })).toMatchObject({ roomId: 'r'.repeat(128) });
  });
});

describe('typing', () => {
  test.each([undefined, 'true', 1, 0, null, []])('isTyping %j is refused', (isTyping) => {
    expect(refuses('typing', { roomId: ROOM, isTyping })).toBe(true);
  });

  test('accepts booleans', () => {
    expect(accepts('typing', { roomId: ROOM, isTyping: false })).toEqual({ roomId: ROOM, isTyping: false });
  });
});

describe('offer and answer', () => {
  test.each([
    ['offer', 'offer'],
    ['answer', 'answer'],
  ] as const)('%s: SDP up to 64 KiB of UTF-8 bytes', (event, type) => {
    const wrap = (value: unknown) => ({ roomId: ROOM, [event]: value });
    expect(accepts(event, wrap({ type, sdp: sdp(64 * 1024), extra: 1 }))).toEqual(wrap({ type, sdp: sdp(64 * 1024) }));
    expect(refuses(event, wrap({ type, sdp: sdp(64 * 1024 + 1) }))).toBe(true);
    // 32769 two-byte characters: fewer than 64 Ki characters, more than 64 KiB
    expect(refuses(event, wrap({ type, sdp: sdp(32 * 1024 + 1, 'é') }))).toBe(true);
    accepts(event, wrap({ type, sdp: sdp(32 * 1024, 'é') }));
    expect(refuses(event, wrap({ type: type === 'offer' ? 'answer' : 'offer', sdp: 'v=0' }))).toBe(true);
    expect(refuses(event, wrap({ type: 'rollback', sdp: '' }))).toBe(true);
    expect(refuses(event, wrap({ type }))).toBe(true);
    expect(refuses(event, wrap({ type, sdp: 5 }))).toBe(true);
    expect(refuses(event, wrap('v=0'))).toBe(true);
    expect(refuses(event, { roomId: ROOM })).toBe(true);
  });

  test('the SDP cap follows MAX_SDP_BYTES', () => {
    const small = createSchemas(loadConfig({ MAX_SDP_BYTES: '100' }).limits);
    expect(small.offer.safeParse({ roomId: ROOM, offer: { type: 'offer', sdp: sdp(100) } }).success).toBe(true);
    expect(small.offer.safeParse({ roomId: ROOM, offer: { type: 'offer', sdp: sdp(101) } }).success).toBe(false);
  });
});

describe('ice_candidate', () => {
  const wrap = (candidate: unknown) => ({ roomId: ROOM, candidate });

  test('keeps the RTCIceCandidateInit fields and drops others', () => {
    expect(
      accepts('ice_candidate', wrap({ candidate: 'c', sdpMid: null, sdpMLineIndex: null, usernameFragment: 'uf', foo: 1 })),
    ).toEqual(wrap({ candidate: 'c', sdpMid: null, sdpMLineIndex: null, usernameFragment: 'uf' }));
    // end-of-candidates is an empty candidate string
    accepts('ice_candidate', wrap({ candidate: '' }));
  });

  test('bounds', () => {
    accepts('ice_candidate', wrap({ candidate: 'c'.repeat(2048) }));
    expect(refuses('ice_candidate', wrap({ candidate: 'c'.repeat(2049) }))).toBe(true);
    accepts('ice_candidate', wrap({ candidate: 'c', sdpMid: 'm'.repeat(64) }));
    expect(refuses('ice_candidate', wrap({ candidate: 'c', sdpMid: 'm'.repeat(65) }))).toBe(true);
    accepts('ice_candidate', wrap({ candidate: 'c', sdpMLineIndex: 1024 }));
    for (const sdpMLineIndex of [-1, 1025, 1.5, '0', Number.NaN, Infinity]) {
      expect(refuses('ice_candidate', wrap({ candidate: 'c', sdpMLineIndex }))).toBe(true);
    }
    accepts('ice_candidate', wrap({ candidate: 'c', usernameFragment: 'u'.repeat(256) }));
    expect(refuses('ice_candidate', wrap({ candidate: 'c', usernameFragment: 'u'.repeat(257) }))).toBe(true);
    expect(refuses('ice_candidate', wrap({}))).toBe(true);
    expect(refuses('ice_candidate', wrap(null))).toBe(true);
    expect(refuses('ice_candidate', wrap('candidate:1'))).toBe(true);
  });

  test('the candidate cap follows MAX_ICE_CANDIDATE_LENGTH', () => {
    const small = createSchemas(loadConfig({ MAX_ICE_CANDIDATE_LENGTH: '16' }).limits);
    expect(small.ice_candidate.safeParse(wrap({ candidate: 'c'.repeat(16) })).success).toBe(true);
    expect(small.ice_candidate.safeParse(wrap({ candidate: 'c'.repeat(17) })).success).toBe(false);
  });
});

describe('report and block', () => {
  test.each(REPORT_REASONS)('reason %s is accepted', (reason) => {
    accepts('report', { roomId: ROOM, reason });
  });

  test('unknown reasons and long details are refused; details are trimmed', () => {
    expect(refuses('report', { roomId: ROOM, reason: 'boring' })).toBe(true);
    expect(refuses('report', { roomId: ROOM })).toBe(true);
    expect(accepts('report', { roomId: ROOM, reason: 'other', details: '  why  ' })).toEqual({
      roomId: ROOM,
      reason: 'other',
      details: 'why',
    });
    accepts('report', { roomId: ROOM, reason: 'other', details: 'd'.repeat(500) });
    expect(refuses('report', { roomId: ROOM, reason: 'other', details: 'd'.repeat(501) })).toBe(true);
  });

  test('block needs only the room', () => {
    expect(accepts('block', { roomId: ROOM, userId: 'someone' })).toEqual({ roomId: ROOM });
  });
});

test('deeply nested payloads are refused without blowing the stack', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10000; i += 1) deep = { roomId: deep };
  for (const event of EVENTS) {
    expect(() => schemas[event].safeParse(deep)).not.toThrow();
  }
  expect(refuses('send_message', deep)).toBe(true);
});

test('Object.prototype is untouched after the whole suite', () => {
  for (const key of ['polluted', 'type', 'isTyping', 'interests', 'language', 'message', 'candidate']) {
    expect(Object.prototype).not.toHaveProperty(key);
  }
});

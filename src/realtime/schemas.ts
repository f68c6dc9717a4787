import { z } from 'zod';
import type { Config } from '../config';
import { REPORT_REASONS } from './events';

const MAX_ROOM_ID_LENGTH = 128;
const MAX_INTERESTS = 10;
const MAX_INTEREST_LENGTH = 32;
const MAX_REPORT_DETAILS_LENGTH = 500;

const roomId = z.string().trim().min(1).max(MAX_ROOM_ID_LENGTH);
/** Socket.io decodes binary attachments into Buffers, which z.object would otherwise accept. */
const notBinary = z.custom<unknown>(
  (value) => !(ArrayBuffer.isView(value) || value instanceof ArrayBuffer),
  'binary is not accepted',
);
const emptyPayload = z.union([z.undefined(), z.null(), notBinary.pipe(z.object({}))]).transform(() => ({}));

const interests = z
  .array(z.string().trim().toLowerCase().min(1).max(MAX_INTEREST_LENGTH))
  .max(MAX_INTERESTS)
  .transform((list) => [...new Set(list)]);

/** BCP 47 tag; only the primary language subtag matters for matching. */
const language = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 language tag such as en or pt-BR')
  .transform((tag) => tag.split('-')[0]!.toLowerCase());

function byteLength(max: number) {
  return (value: string) => Buffer.byteLength(value, 'utf8') <= max;
}

/** One schema per client event. Unknown keys are dropped; anything not an object is refused. */
export function createSchemas(limits: Config['limits']) {
  const sessionDescription = (type: 'offer' | 'answer') =>
    z.object({
      type: z.literal(type),
      sdp: z.string().refine(byteLength(limits.maxSdpBytes), `sdp over ${limits.maxSdpBytes} bytes`),
    });

  return {
    join: z.object({
      userId: z.string().max(256).nullish(),
      type: z.enum(['chat', 'video']),
      preferences: notBinary
        .pipe(z.object({ interests: interests.nullish(), language: language.nullish() }))
        .nullish()
        .transform((prefs) => ({ interests: prefs?.interests ?? [], language: prefs?.language ?? undefined })),
      ageGroup: z
        .enum(['adult', 'teen'])
        .nullish()
        .transform((group) => group ?? undefined),
    }),
    send_message: z.object({ roomId, message: z.string().trim().min(1).max(limits.maxMessageLength) }),
    typing: z.object({ roomId, isTyping: z.boolean() }),
    offer: z.object({ roomId, offer: sessionDescription('offer') }),
    answer: z.object({ roomId, answer: sessionDescription('answer') }),
    ice_candidate: z.object({
      roomId,
      candidate: z.object({
        candidate: z.string().max(limits.maxIceCandidateLength),
        sdpMid: z.string().max(64).nullish(),
        sdpMLineIndex: z.number().int().min(0).max(1024).nullish(),
        usernameFragment: z.string().max(256).nullish(),
      }),
    }),
    leave_room: z.object({ roomId }),
    leave_queue: emptyPayload,
    next: emptyPayload,
    report: z.object({
      roomId,
      reason: z.enum(REPORT_REASONS),
      details: z.string().trim().max(MAX_REPORT_DETAILS_LENGTH).optional(),
    }),
    block: z.object({ roomId }),
  } as const;
}

export type Schemas = ReturnType<typeof createSchemas>;
export type ClientEventName = keyof Schemas;
export type PayloadOf<E extends ClientEventName> = z.output<Schemas[E]>;

import { z } from 'zod';
import type { Config } from '../config';
import { REPORT_REASONS } from '../contract/events';

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

const MAX_ADMIN_TEXT_LENGTH = 500;
const MAX_ADMIN_ID_LENGTH = 128;
const MAX_CURSOR_LENGTH = 64;
/** A year: longer bans are a policy decision, not a form field. */
const MAX_BAN_DURATION_MS = 365 * 24 * 3600 * 1000;

/** Query strings and bodies of the moderator API (`/admin`); `pageLimit` is ADMIN_PAGE_LIMIT. */
export function createAdminSchemas(pageLimit: number) {
  const id = z.string().trim().min(1).max(MAX_ADMIN_ID_LENGTH);
  const text = z.string().trim().min(1).max(MAX_ADMIN_TEXT_LENGTH);
  const page = {
    limit: z.coerce.number().int().min(1).max(pageLimit).default(Math.min(50, pageLimit)),
    cursor: z.string().min(1).max(MAX_CURSOR_LENGTH).optional(),
  };
  return {
    id,
    reportQuery: z.object({ ...page, status: z.enum(['open', 'dismissed', 'all']).default('open'), reportedId: id.optional() }),
    auditQuery: z.object(page),
    dismiss: z.object({ note: text.optional() }).default({}),
    ban: z
      .object({
        userId: id.optional(),
        ipHash: id.optional(),
        durationMs: z.number().int().positive().max(MAX_BAN_DURATION_MS),
        reason: text,
        mode: z.enum(['hard', 'shadow']).optional(),
      })
      .refine((ban) => ban.userId !== undefined || ban.ipHash !== undefined, 'userId or ipHash is required'),
    disconnect: z.object({ reason: text.optional() }).default({}),
  } as const;
}

export type AdminSchemas = ReturnType<typeof createAdminSchemas>;

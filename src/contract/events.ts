/**
 * The wire contract between server and clients. Event names and the seed's fields are public:
 * front ends written against the seed README keep working. Everything marked "additive" is optional
 * for clients and may be ignored.
 */
import type { ErrorCode } from '../errors';

export type SessionType = 'chat' | 'video';

export interface Preferences {
  interests?: string[];
  language?: string;
}

/** Additive: the user's own declaration, required only when the server's AGE_GATE asks for it. */
export type AgeGroup = 'adult' | 'teen';

export interface JoinPayload {
  /** Client label only: never used as identity. */
  userId?: string;
  type: SessionType;
  preferences?: Preferences;
  /** Additive: fixed for the connection once given. */
  ageGroup?: AgeGroup;
}

export interface RoomPayload {
  roomId: string;
}

export interface SendMessagePayload extends RoomPayload {
  message: string;
}

export interface TypingPayload extends RoomPayload {
  isTyping: boolean;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface OfferPayload extends RoomPayload {
  offer: SessionDescription;
}

export interface AnswerPayload extends RoomPayload {
  answer: SessionDescription;
}

export interface IceCandidatePayload extends RoomPayload {
  candidate: IceCandidate;
}

export const REPORT_REASONS = ['spam', 'harassment', 'nudity', 'underage', 'hate', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

export interface ReportPayload extends RoomPayload {
  reason: ReportReason;
  details?: string;
}

export interface ClientToServerEvents {
  join: (payload: JoinPayload) => void;
  send_message: (payload: SendMessagePayload) => void;
  typing: (payload: TypingPayload) => void;
  offer: (payload: OfferPayload) => void;
  answer: (payload: AnswerPayload) => void;
  ice_candidate: (payload: IceCandidatePayload) => void;
  leave_room: (payload: RoomPayload) => void;
  /** Additive: leave the waiting queue without joining anything. */
  leave_queue: (payload?: Record<string, never>) => void;
  /** Additive: end the current room and queue again with the same type and preferences. */
  next: (payload?: Record<string, never>) => void;
  /** Additive: end the room, never meet this partner again, and count a report against them. */
  report: (payload: ReportPayload) => void;
  /** Additive: end the room and never meet this partner again. */
  block: (payload: RoomPayload) => void;
}

export interface RTCIceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SessionInfo {
  /** This connection's anonymous id: the `sender` of its own messages. */
  userId: string;
  /** True when Socket.io connection state recovery restored this session. */
  recovered: boolean;
  /** Additive, when BOT_CHECK is on: a signed pass to send as `auth.botPass` on reconnects. */
  botPass?: string;
}

export interface PartnerFoundPayload {
  roomId: string;
  /** The partner's anonymous id. */
  partnerId: string;
  type: SessionType;
  /** Additive: interests both users gave. */
  commonInterests: string[];
  /** Additive, video only: true for exactly one of the two; that one sends the offer. */
  initiator?: boolean;
  /** Additive, video only: STUN/TURN servers for RTCPeerConnection. */
  iceServers?: RTCIceServerConfig[];
  /** Additive, video only: 'relay' when ICE_RELAY_ONLY hides addresses behind TURN. */
  iceTransportPolicy?: 'all' | 'relay';
}

export interface ChatMessage {
  id: string;
  text: string;
  /** The sender's anonymous id; on the sender's own copy the `userId` label it joined with, if any. */
  sender: string;
  timestamp: number;
  type: 'text';
  /** Additive: true on the sender's own copy only. */
  self?: boolean;
}

export interface PartnerLeftPayload {
  /** Additive: why the room ended. */
  reason: 'left' | 'disconnected' | 'skipped' | 'shutdown';
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  event?: string;
  retryAfterMs?: number;
}

/** `GET /client-config`: what the server will ask of a client before it may join. */
export interface ClientConfig {
  ageGate: 'off' | 'adult-only' | 'split';
  botCheck: 'off' | 'pow' | 'turnstile' | 'hcaptcha';
  /** The widget's site key for turnstile / hcaptcha. */
  botCheckSiteKey?: string;
  iceRelayOnly: boolean;
  reportReasons: readonly ReportReason[];
}

export interface ServerShutdownPayload {
  /** Suggested delay before reconnecting, with jitter applied by the client. */
  reconnectAfterMs: number;
}

export interface ServerToClientEvents {
  /** Additive: sent on every connect, first. */
  session: (info: SessionInfo) => void;
  waiting_for_partner: () => void;
  partner_found: (payload: PartnerFoundPayload) => void;
  partner_disconnected: (payload: PartnerLeftPayload) => void;
  /** Additive: the partner's connection dropped; they have a grace period to come back. */
  partner_reconnecting: (payload: { graceMs: number }) => void;
  /** Additive: the partner came back within the grace period. */
  partner_reconnected: () => void;
  new_message: (message: ChatMessage) => void;
  user_typing: (payload: { isTyping: boolean }) => void;
  offer: (payload: { offer: SessionDescription }) => void;
  answer: (payload: { answer: SessionDescription }) => void;
  ice_candidate: (payload: { candidate: IceCandidate }) => void;
  user_count_update: (payload: { count: number }) => void;
  error: (payload: ErrorPayload) => void;
  /** Additive: the server is shutting down; reconnect after the hint. */
  server_shutdown: (payload: ServerShutdownPayload) => void;
}

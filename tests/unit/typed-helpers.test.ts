import { expectNoEvent, record, waitFor, type TestClient } from '../helpers/clients';
import type { ChatMessage, PartnerFoundPayload } from '../../src/contract/events';

/**
 * The test helpers take event names from the contract (ServerToClientEvents) and give back that
 * event's payload type: a misspelt event fails to compile. Checked by the type checker (ts-jest and
 * `npm run typecheck`); the function is never called.
 */
export function typedByTheContract(socket: TestClient): void {
  const found: Promise<PartnerFoundPayload> = waitFor(socket, 'partner_found');
  const messages: ChatMessage[] = record(socket, 'new_message');
  const reason: Promise<string> = waitFor(socket, 'disconnect');
  void waitFor(socket, 'new_message', 1000, (message) => message.text.length > 0);
  void [found, messages, reason];

  // @ts-expect-error a misspelt event name
  void waitFor(socket, 'new_mesage');
  // @ts-expect-error a misspelt event name
  record(socket, 'partner_fund');
  // @ts-expect-error a misspelt event name, even where the payload type is given by the context
  const annotated: Promise<ChatMessage> = waitFor(socket, 'new_mesage');
  void annotated;
  // @ts-expect-error a misspelt event name
  void expectNoEvent(socket, 'ofer');
  // @ts-expect-error the payload type follows from the event
  const wrong: Promise<ChatMessage> = waitFor(socket, 'partner_found');
  void wrong;
}

test('the typed helpers are checked at compile time', () => {
  expect(typeof typedByTheContract).toBe('function');
});

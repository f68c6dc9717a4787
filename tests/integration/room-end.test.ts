import { expectNoEvent, pairClients, waitFor, type TestClient } from '../helpers/clients';
import { useTestServer } from '../helpers/server';

const srv = useTestServer();

/** Whoever ends a room hears nothing about it: partner_disconnected is for the partner only. */
describe.each([
  ['leave_room', (a: TestClient, roomId: string) => a.emit('leave_room', { roomId }), 'left'],
  ['next', (a: TestClient) => a.emit('next'), 'skipped'],
  ['block', (a: TestClient, roomId: string) => a.emit('block', { roomId }), 'left'],
  ['report', (a: TestClient, roomId: string) => a.emit('report', { roomId, reason: 'spam' }), 'left'],
] as const)('%s', (_event, end, reason) => {
  test('tells the partner, not the one who ended the room', async () => {
    const { a, b, roomId } = await pairClients(srv.url);
    const told = waitFor(b, 'partner_disconnected');
    const leaverQuiet = expectNoEvent(a, 'partner_disconnected', 500);
    end(a, roomId);
    expect(await told).toEqual({ reason });
    await leaverQuiet;
  });
});

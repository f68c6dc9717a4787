import { connectClient, joinAndWait, waitFor, type TestClient } from '../helpers/clients';
import { useModes } from '../helpers/modes';

/** Issue 14: with MATCH_LOCAL_PREFERENCE_MS a compatible partner on the joiner's own node wins. */
const modes = useModes();

async function startNodes(env: Record<string, string>): Promise<[string, string]> {
  const [one, two] = await modes.cluster(2, { MATCH_INTEREST_TIMEOUT_MS: '60000', ...env });
  return [one.url, two.url];
}

async function waiting(client: TestClient, interests: string[]): Promise<void> {
  const queued = waitFor(client, 'waiting_for_partner');
  client.emit('join', { type: 'chat', preferences: { interests } });
  await queued;
}

/** An older compatible user waits on the first node, a younger one on the second; who does a joiner on the second meet? */
async function partnerOfLocalJoiner(env: Record<string, string>) {
  const [one, two] = await startNodes(env);
  const remote = await connectClient(one);
  const local = await connectClient(two);
  await waiting(remote, ['hiking']);
  await waiting(local, ['chess']);
  const joiner = await connectClient(two);
  const found = await joinAndWait(joiner, { type: 'chat', preferences: { interests: ['hiking', 'chess'] } });
  return { found, remote, local };
}

test('with MATCH_LOCAL_PREFERENCE_MS a compatible partner on the same node wins over an older remote one', async () => {
  const { found, local } = await partnerOfLocalJoiner({ MATCH_LOCAL_PREFERENCE_MS: '60000' });
  expect(found.partnerId).toBe(local.session.userId);
  expect(found.commonInterests).toEqual(['chess']);
});

test('by default pairing stays FIFO across nodes', async () => {
  const { found, remote } = await partnerOfLocalJoiner({});
  expect(found.partnerId).toBe(remote.session.userId);
});

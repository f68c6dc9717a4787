import fc from 'fast-check';
import type { AgeGroup } from '../../src/contract/events';
import {
  closeAllClients,
  connectClient,
  eventually,
  expectNoEvent,
  joinAndWait,
  refusalOf,
  waitFor,
  type TestClient,
} from '../helpers/clients';
import { useModes } from '../helpers/modes';

const modes = useModes();

async function waiting(client: TestClient, payload: Parameters<TestClient['emit']>[1]): Promise<void> {
  const queued = waitFor(client, 'waiting_for_partner');
  client.emit('join', payload as never);
  await queued;
}

async function refusals(url: string, code: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^chat_refusals_total\\{code="${code}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe.each(['memory', 'redis'] as const)('age pools (%s)', (mode) => {
  test('AGE_GATE=off (the default) ignores age groups: a teen and an adult meet', async () => {
    const [one, two] = await modes.start(mode, {});
    const teen = await connectClient(one!);
    const adult = await connectClient(two!);
    await waiting(teen, { type: 'chat', ageGroup: 'teen' });
    expect((await joinAndWait(adult, { type: 'chat', ageGroup: 'adult' })).partnerId).toBe(teen.session.userId);
  });

  test('adult-only refuses a join without ageGroup adult, and a declared teen cannot answer again', async () => {
    const [one, two] = await modes.start(mode, { AGE_GATE: 'adult-only' });
    const undeclared = await connectClient(one!);
    expect(await refusalOf(undeclared, 'join', { type: 'chat' })).toMatchObject({
      code: 'AGE_CONFIRMATION_REQUIRED',
      event: 'join',
    });
    const teen = await connectClient(one!);
    expect((await refusalOf(teen, 'join', { type: 'chat', ageGroup: 'teen' })).code).toBe('AGE_CONFIRMATION_REQUIRED');
    expect((await refusalOf(teen, 'join', { type: 'chat', ageGroup: 'adult' })).code).toBe('AGE_GROUP_LOCKED');
    expect(await refusals(one!, 'AGE_CONFIRMATION_REQUIRED')).toBe(2);

    const adult = await connectClient(one!);
    await waiting(adult, { type: 'chat', ageGroup: 'adult' });
    const other = await connectClient(two!);
    expect((await joinAndWait(other, { type: 'chat', ageGroup: 'adult' })).partnerId).toBe(adult.session.userId);
  });

  test('split keeps adults and teens apart, even after the interest window', async () => {
    const [one, two] = await modes.start(mode, { AGE_GATE: 'split', MATCH_INTEREST_TIMEOUT_MS: '200' });
    const undeclared = await connectClient(one!);
    expect((await refusalOf(undeclared, 'join', { type: 'chat' })).code).toBe('AGE_CONFIRMATION_REQUIRED');

    const teen = await connectClient(one!);
    const adult = await connectClient(two!);
    await waiting(teen, { type: 'chat', ageGroup: 'teen', preferences: { interests: ['music'] } });
    await waiting(adult, { type: 'chat', ageGroup: 'adult', preferences: { interests: ['music'] } });
    // Both windows end (200 ms) and each is open to anyone, yet nobody of their group is there.
    await Promise.all([expectNoEvent(teen, 'partner_found', 600), expectNoEvent(adult, 'partner_found', 600)]);

    const secondAdult = await connectClient(one!);
    expect((await joinAndWait(secondAdult, { type: 'chat', ageGroup: 'adult' })).partnerId).toBe(adult.session.userId);
    const secondTeen = await connectClient(two!);
    expect((await joinAndWait(secondTeen, { type: 'chat', ageGroup: 'teen' })).partnerId).toBe(teen.session.userId);
  });

  test('split: the age group is fixed for the connection, and next keeps it', async () => {
    const [one, two] = await modes.start(mode, { AGE_GATE: 'split' });
    const teen = await connectClient(one!);
    await waiting(teen, { type: 'chat', ageGroup: 'teen' });
    teen.emit('leave_queue');
    await eventually(async () => !(await modes.nodes[0]!.server.services.queue.isWaiting(teen.session.userId)));
    expect(await refusalOf(teen, 'join', { type: 'chat', ageGroup: 'adult' })).toMatchObject({
      code: 'AGE_GROUP_LOCKED',
      event: 'join',
    });
    // Omitting the group keeps the declared one.
    await waiting(teen, { type: 'chat' });
    const adult = await connectClient(two!);
    await waiting(adult, { type: 'chat', ageGroup: 'adult' });
    const otherTeen = await connectClient(two!);
    const found = await joinAndWait(otherTeen, { type: 'chat', ageGroup: 'teen' });
    expect(found.partnerId).toBe(teen.session.userId);

    // next queues the teen again as a teen: the waiting adult is not theirs to meet, a teen is.
    const teenWaits = waitFor(teen, 'waiting_for_partner');
    teen.emit('next');
    await teenWaits;
    await expectNoEvent(adult, 'partner_found', 300);
    const thirdTeen = await connectClient(one!);
    expect((await joinAndWait(thirdTeen, { type: 'chat', ageGroup: 'teen' })).partnerId).toBe(teen.session.userId);
  });
});

/**
 * Random joins, skips, departures and arrivals of adults and teens, all at once across the nodes:
 * every partner_found pairs two users of the same declared group.
 */
describe.each(['memory', 'redis'] as const)('age pools under concurrent random traffic (%s)', (mode) => {
  test('no partner_found ever crosses the age groups', async () => {
    const urls = await modes.start(mode, { AGE_GATE: 'split', MATCH_INTEREST_TIMEOUT_MS: '100' }, mode === 'redis' ? 3 : 1);
    const groupOf = new Map<string, AgeGroup>();
    const crossings: string[] = [];
    let pairings = 0;
    const action = fc.record({
      group: fc.constantFrom<AgeGroup>('adult', 'teen'),
      node: fc.nat({ max: urls.length - 1 }),
      interests: fc.subarray(['music', 'art']),
      then: fc.constantFrom('stay', 'stay', 'next', 'leave'),
    });
    const rounds = await fc.sample(fc.array(action, { minLength: 30, maxLength: 60 }), { numRuns: 3, seed: 12 });
    for (const actions of rounds) {
      const clients: TestClient[] = [];
      for (const { node } of actions) clients.push(await connectClient(urls[node]!));
      clients.forEach((client, i) => {
        groupOf.set(client.session.userId, actions[i]!.group);
        client.on('partner_found', (found) => {
          pairings += 1;
          const mine = actions[i]!.group;
          if (groupOf.get(found.partnerId!) !== mine) crossings.push(`${mine} met ${groupOf.get(found.partnerId!)}`);
          if (actions[i]!.then === 'next') client.emit('next');
          if (actions[i]!.then === 'leave') client.disconnect();
        });
      });
      const answered = clients.map((client) =>
        Promise.race([waitFor(client, 'waiting_for_partner', 10_000), waitFor(client, 'partner_found', 10_000)]),
      );
      clients.forEach((client, i) =>
        client.emit('join', { type: 'chat', ageGroup: actions[i]!.group, preferences: { interests: actions[i]!.interests } }),
      );
      await Promise.all(answered);
      await closeAllClients();
    }
    expect(crossings).toEqual([]);
    expect(pairings).toBeGreaterThan(20);
  }, 60_000);
});

test('240 adults and teens joining at once across three nodes are each paired exactly once, within their group', async () => {
  const urls = await modes.start('redis', { AGE_GATE: 'split' }, 3);
  const clients: TestClient[] = [];
  for (let batch = 0; batch < 6; batch += 1) {
    clients.push(...(await Promise.all(Array.from({ length: 40 }, (_, i) => connectClient(urls[(batch * 40 + i) % 3]!)))));
  }
  const groupOf = (i: number): AgeGroup => (i % 5 < 2 ? 'teen' : 'adult');
  const found = clients.map((client) => waitFor(client, 'partner_found', 20_000));
  clients.forEach((client, i) => client.emit('join', { type: 'chat', ageGroup: groupOf(i) }));
  const results = await Promise.all(found);
  const indexOf = new Map(clients.map((client, i) => [client.session.userId, i]));
  const byRoom = new Map<string, number[]>();
  results.forEach((result, i) => {
    byRoom.set(result.roomId, [...(byRoom.get(result.roomId) ?? []), i]);
    expect(groupOf(indexOf.get(result.partnerId!)!)).toBe(groupOf(i));
  });
  expect(byRoom.size).toBe(120);
  for (const [, members] of byRoom) expect(members).toHaveLength(2);
}, 60_000);

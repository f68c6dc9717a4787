import { startChildServer } from '../helpers/child-server';

/** The harness itself: a child that never gets going must not outlive the test that gave up on it. */
test('a child server that does not start in time is killed, not left running', async () => {
  const error = await startChildServer({}, { startDeadlineMs: 50 }).then(
    () => undefined,
    (failure: Error) => failure,
  );
  expect(error?.message).toMatch(/did not start within 50 ms, killed/);
  const pid = Number(/pid (\d+)/.exec(error!.message)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
});

import { SerialSteps } from '../../src/realtime/serial-steps';

/** A step that runs until `finish()` is called, recording its runs. */
function slowStep(name: string, log: string[]) {
  let finish: () => void = () => {};
  const step = () =>
    new Promise<void>((resolve) => {
      log.push(name);
      finish = resolve;
    });
  return { step, finish: () => finish() };
}

test('a step asked for while another runs is run right after it, once however often it was asked for', async () => {
  const log: string[] = [];
  const steps = new SerialSteps(() => {});
  const sweep = slowStep('sweep', log);
  const beat = async () => void log.push('beat');
  const running = steps.run(sweep.step);
  await steps.run(beat);
  await steps.run(beat);
  expect(log).toEqual(['sweep']);
  sweep.finish();
  await running;
  expect(log).toEqual(['sweep', 'beat']);
});

test('a failing step is reported and does not keep the next one from running', async () => {
  const failures: unknown[] = [];
  const log: string[] = [];
  const steps = new SerialSteps((error) => failures.push(error));
  await steps.run(() => Promise.reject(new Error('redis down')));
  await steps.run(async () => void log.push('beat'));
  expect(failures).toEqual([new Error('redis down')]);
  expect(log).toEqual(['beat']);
});

test('once stopped, neither a waiting step nor a new one runs', async () => {
  const log: string[] = [];
  const steps = new SerialSteps(() => {});
  const sweep = slowStep('sweep', log);
  const running = steps.run(sweep.step);
  await steps.run(async () => void log.push('beat'));
  steps.stop();
  sweep.finish();
  await running;
  await steps.run(async () => void log.push('late beat'));
  expect(log).toEqual(['sweep']);
});

// Real sockets and real redis-servers on a shared CI machine: a test that loses a timing race once is
// run again (its failed attempt is logged); a failure that repeats still fails the run.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

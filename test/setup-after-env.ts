import { fileEnded, processTimeoutMs, testEnded, testStarted } from './support/test-processes';

// Top-level hooks run around every test of every file, and jest runs afterEach and afterAll even after a test timed
// out: what a test started can't outlive it, whichever way it ended. Killing may wait as long as any process wait.
beforeEach(() => testStarted());
afterEach(() => testEnded(), processTimeoutMs + 10_000);
afterAll(() => fileEnded(), processTimeoutMs + 10_000);

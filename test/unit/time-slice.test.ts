import { monotonicMs } from '../../src/util/clock';
import { TimeSlice, urgent } from '../../src/util/time-slice';

/** Spins for `ms` of CPU time, giving way as a heavy loop does; answers how many times it gave way. */
async function busyLoop(ms: number, slice: TimeSlice): Promise<number> {
  let gaveWay = 0;
  for (const end = monotonicMs() + ms; monotonicMs() < end;) {
    if (slice.due()) {
      gaveWay += 1;
      await slice.giveWay();
    }
  }
  return gaveWay;
}

describe('a long computation sharing the event loop', () => {
  it('lets timers and I/O callbacks run while it works, not only after', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const finished = busyLoop(200, new TimeSlice()).then((gaveWay) => ({ gaveWay, firedBefore: fired }));
    const { gaveWay, firedBefore } = await finished;
    expect(firedBefore).toBe(true);
    // 200 ms in 10 ms slices: about twenty turns (fewer on a machine too slow to reach each slice's end often).
    expect(gaveWay).toBeGreaterThanOrEqual(1);
  });

  it('gives way more often while urgent work (a write others wait for) is in flight', async () => {
    const calm = await busyLoop(100, new TimeSlice());
    let release: () => void = () => undefined;
    const held = urgent(() => new Promise<void>((resolve) => (release = resolve)));
    const hurried = await busyLoop(100, new TimeSlice());
    release();
    await held;
    expect(hurried).toBeGreaterThan(calm);
    // The urgent work has ended: slices are back to their usual length.
    expect(await busyLoop(100, new TimeSlice())).toBeLessThan(hurried);
  });
});

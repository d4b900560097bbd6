import { InFlightBudget } from './in-flight-budget';

describe('InFlightBudget', () => {
  const make = (limit: number) => {
    const changes: boolean[] = [];
    const started: string[] = [];
    const budget = new InFlightBudget(limit, (exceeded) => changes.push(exceeded));
    const enter = (id: string, bytes: number, now = false) => budget.enter(bytes, () => started.push(id), now);
    return { budget, changes, started, enter };
  };

  it('starts deliveries while their bytes fit, the rest in arrival order as room is made', () => {
    const { budget, started, enter } = make(100);
    enter('a', 40);
    enter('b', 40);
    enter('c', 40); // 120 > 100: waits
    enter('d', 10); // fits, but waits behind c (arrival order)
    expect(started).toEqual(['a', 'b']);
    budget.leave(40);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('starts a delivery larger than the budget once nothing else runs, so it never stalls', () => {
    const { budget, started, enter } = make(100);
    enter('a', 10);
    enter('huge', 500);
    expect(started).toEqual(['a']);
    budget.leave(10);
    expect(started).toEqual(['a', 'huge']);
    enter('b', 10);
    expect(started).toEqual(['a', 'huge']);
    budget.leave(500);
    expect(started).toEqual(['a', 'huge', 'b']);
  });

  it('starts `now` deliveries at once whatever their size', () => {
    const { started, enter } = make(100);
    enter('a', 90);
    enter('over-size', 1_000, true);
    expect(started).toEqual(['a', 'over-size']);
  });

  it('reports once when the held bytes go over the limit and once when they are back under', () => {
    const { budget, changes, enter } = make(100);
    enter('a', 60);
    enter('b', 60);
    enter('c', 60);
    expect(changes).toEqual([true]);
    expect(budget.exceeded).toBe(true);
    expect(budget.heldBytes).toBe(180);
    budget.leave(60);
    expect(changes).toEqual([true]); // 120: still over
    budget.leave(60);
    expect(changes).toEqual([true, false]);
    expect(budget.exceeded).toBe(false);
  });

  it('starts a waiting delivery on the next leave, whatever the subscription does meanwhile', () => {
    // The memory-bounds pause test's sequence on RabbitMQ 4.0: the 4th of 1,000-byte deliveries
    // tips a 3,000-byte budget over (the consumer cancels, then is paused); a leave starts it.
    const { budget, changes, started, enter } = make(3_000);
    for (const id of ['p1', 'p2', 'p3', 'p4']) enter(id, 1_000);
    expect(started).toEqual(['p1', 'p2', 'p3']);
    expect(changes).toEqual([true]);
    budget.leave(1_000);
    expect(started).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(changes).toEqual([true, false]);
    for (let i = 0; i < 3; i++) budget.leave(1_000);
    expect(budget.heldBytes).toBe(0);
  });

  it('says when a delivery is left waiting, on arrival and after room was made', () => {
    let blocked = 0;
    const budget = new InFlightBudget(100, () => undefined, () => blocked++);
    budget.enter(60, () => undefined);
    expect(blocked).toBe(0);
    budget.enter(60, () => undefined);
    budget.enter(60, () => undefined);
    expect(blocked).toBe(2);
    budget.leave(60); // the second starts, the third still waits
    expect(blocked).toBe(3);
    budget.leave(60);
    expect(blocked).toBe(3);
  });

  it('sizes a new subscription by the largest recent delivery, and says when a full window would fit again', () => {
    const { budget, enter } = make(100);
    expect(budget.window(10)).toBe(10); // nothing seen yet
    enter('big', 40);
    expect(budget.window(10)).toBe(2);
    enter('huge', 500);
    expect(budget.window(10)).toBe(1); // never 0
    for (let i = 0; i < 9; i++) enter(`s${i}`, 10);
    expect(budget.roomFor(10)).toBe(false); // nine so far
    enter('s9', 10);
    expect(budget.roomFor(10)).toBe(true);
  });
});

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
});

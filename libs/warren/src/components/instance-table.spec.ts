import { InstanceTable } from './instance-table';
import type { AnnouncedInstance } from './registry-message';

const announced = (instanceId: string, component = 'C'): AnnouncedInstance => ({ component, instanceId, host: 'h', pid: 1, version: '1', methods: [] });
const table = (limits: Partial<ConstructorParameters<typeof InstanceTable>[0]> = {}) =>
  new InstanceTable({ maxInstances: 100, maxInstancesPerComponent: 100, maxTotalBytes: 1_000_000, ...limits });

describe('InstanceTable', () => {
  it('binds an instance to the user that announced it: only that user refreshes it or ends it', () => {
    const instances = table();
    expect(instances.admit(announced('a'), 'svc', 1, 10)).toMatchObject({ outcome: 'added', instance: { instanceId: 'a', userId: 'svc', lastSeen: 1 } });
    expect(instances.admit(announced('a'), 'mallory', 2, 10)).toMatchObject({ outcome: 'foreign', holder: { userId: 'svc' } });
    expect(instances.admit(announced('a'), undefined, 2, 10)).toMatchObject({ outcome: 'foreign' });
    expect(instances.leave('a', 'mallory')).toMatchObject({ outcome: 'foreign' });
    expect(instances.leave('a', undefined)).toMatchObject({ outcome: 'foreign' });
    expect([...instances.values()].map((i) => i.lastSeen)).toEqual([1]);
    expect(instances.admit(announced('a'), 'svc', 3, 10)).toEqual({ outcome: 'refreshed' });
    expect([...instances.values()].map((i) => i.lastSeen)).toEqual([3]);
    expect(instances.leave('a', 'svc')).toMatchObject({ outcome: 'removed', instance: { instanceId: 'a' } });
    expect(instances.leave('a', 'svc')).toEqual({ outcome: 'unknown' });
  });

  it('an id announced again for another component, even by its own user, does not move it', () => {
    const instances = table();
    instances.admit(announced('a', 'C'), 'svc', 1, 10);
    expect(instances.admit(announced('a', 'D'), 'svc', 2, 10)).toMatchObject({ outcome: 'foreign' });
    expect([...instances.values()].map((i) => i.component)).toEqual(['C']);
  });

  it('an unverified instance (no user) is refreshed and ended only by unverified messages', () => {
    const instances = table();
    const added = instances.admit(announced('u'), undefined, 1, 10);
    expect(added).toMatchObject({ outcome: 'added' });
    expect('userId' in (added as { instance: object }).instance).toBe(false);
    expect(instances.leave('u', 'svc')).toMatchObject({ outcome: 'foreign' });
    expect(instances.leave('u', undefined)).toMatchObject({ outcome: 'removed' });
  });

  it('caps instances per component, in total and by bytes; listed ones keep being refreshed', () => {
    const instances = table({ maxInstances: 3, maxInstancesPerComponent: 2, maxTotalBytes: 100 });
    expect(instances.admit(announced('a1', 'A'), 'svc', 1, 10).outcome).toBe('added');
    expect(instances.admit(announced('a2', 'A'), 'svc', 1, 10).outcome).toBe('added');
    expect(instances.admit(announced('a3', 'A'), 'svc', 1, 10)).toEqual({ outcome: 'full', limit: 'component' });
    expect(instances.admit(announced('b1', 'B'), 'svc', 1, 81)).toEqual({ outcome: 'full', limit: 'bytes' });
    expect(instances.admit(announced('b1', 'B'), 'svc', 1, 80).outcome).toBe('added');
    expect(instances.admit(announced('c1', 'C'), 'svc', 1, 1)).toEqual({ outcome: 'full', limit: 'total' });
    expect(instances.admit(announced('a1', 'A'), 'svc', 5, 10)).toEqual({ outcome: 'refreshed' });
    // Leaving frees its places: per component, in total and its bytes.
    instances.leave('b1', 'svc');
    instances.leave('a2', 'svc');
    expect(instances.admit(announced('a3', 'A'), 'svc', 6, 80).outcome).toBe('added');
    expect(instances.size).toBe(2);
  });

  it('expires the instances not seen since a time, freeing their places', () => {
    const instances = table({ maxInstances: 2 });
    instances.admit(announced('old'), 'svc', 1, 10);
    instances.admit(announced('new'), 'svc', 5, 10);
    expect(instances.expire(3).map((i) => i.instanceId)).toEqual(['old']);
    expect([...instances.values()].map((i) => i.instanceId)).toEqual(['new']);
    expect(instances.admit(announced('next'), 'svc', 6, 10).outcome).toBe('added');
  });
});

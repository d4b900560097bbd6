import type { ComponentInstance } from './components-options.interface';
import type { AnnouncedInstance } from './registry-message';

export interface InstanceLimits {
  maxInstances: number;
  maxInstancesPerComponent: number;
  /** Of the announcements held, by the size of their message bodies. */
  maxTotalBytes: number;
}

/** What became of an announcement or heartbeat. */
export type Admission =
  | { outcome: 'added'; instance: ComponentInstance }
  | { outcome: 'refreshed' }
  /** The id is held by another broker user (or the same id announced another component): ignored. */
  | { outcome: 'foreign'; holder: ComponentInstance }
  | { outcome: 'full'; limit: 'component' | 'total' | 'bytes' };

/**
 * The registry's live instances, each bound to the broker user that announced it first: only
 * that user's heartbeats refresh it and only its goodbye ends it. Capped per component and in
 * total; when full, new instances are refused and the listed ones keep working.
 */
export class InstanceTable {
  private readonly byId = new Map<string, ComponentInstance>();
  private readonly perComponent = new Map<string, number>();
  private readonly bytesOf = new Map<string, number>();
  private totalBytes = 0;

  constructor(private readonly limits: InstanceLimits) {}

  get size(): number {
    return this.byId.size;
  }

  values(): IterableIterator<ComponentInstance> {
    return this.byId.values();
  }

  /**
   * `userId`: the broker-verified sender (undefined when it sent none and unverified ones are
   * allowed); `bytes`: the size of the message body it came in.
   */
  admit(announced: AnnouncedInstance, userId: string | undefined, now: number, bytes: number): Admission {
    const held = this.byId.get(announced.instanceId);
    if (held) {
      if (held.userId !== userId || held.component !== announced.component) return { outcome: 'foreign', holder: held };
      held.lastSeen = now;
      return { outcome: 'refreshed' };
    }
    if (this.byId.size >= this.limits.maxInstances) return { outcome: 'full', limit: 'total' };
    const count = this.perComponent.get(announced.component) ?? 0;
    if (count >= this.limits.maxInstancesPerComponent) return { outcome: 'full', limit: 'component' };
    if (this.totalBytes + bytes > this.limits.maxTotalBytes) return { outcome: 'full', limit: 'bytes' };
    const instance: ComponentInstance = { ...announced, lastSeen: now };
    if (userId !== undefined) instance.userId = userId;
    this.byId.set(instance.instanceId, instance);
    this.perComponent.set(instance.component, count + 1);
    this.bytesOf.set(instance.instanceId, bytes);
    this.totalBytes += bytes;
    return { outcome: 'added', instance };
  }

  /** A goodbye: ends the instance only when it comes from the user that announced it. */
  leave(instanceId: string, userId: string | undefined): { outcome: 'removed'; instance: ComponentInstance } | { outcome: 'unknown' } | { outcome: 'foreign'; holder: ComponentInstance } {
    const held = this.byId.get(instanceId);
    if (!held) return { outcome: 'unknown' };
    if (held.userId !== userId) return { outcome: 'foreign', holder: held };
    this.delete(held);
    return { outcome: 'removed', instance: held };
  }

  /** Removes and returns the instances last seen before `before` (epoch ms). */
  expire(before: number): ComponentInstance[] {
    const expired = [...this.byId.values()].filter((instance) => instance.lastSeen < before);
    for (const instance of expired) this.delete(instance);
    return expired;
  }

  private delete(instance: ComponentInstance): void {
    this.byId.delete(instance.instanceId);
    this.totalBytes -= this.bytesOf.get(instance.instanceId) ?? 0;
    this.bytesOf.delete(instance.instanceId);
    const left = (this.perComponent.get(instance.component) ?? 1) - 1;
    if (left > 0) this.perComponent.set(instance.component, left);
    else this.perComponent.delete(instance.component);
  }
}

/** How a failed message is tried again before it is parked in the dead-letter queue. */
export interface RetryOptions {
  /** Deliveries in all, the first included; 1 means no retry. @default 5 */
  attempts?: number;
  /** Wait before the first retry. @default 1000 */
  initialDelayMs?: number;
  /** Each further wait is the previous one times this. @default 2 */
  multiplier?: number;
  /** No wait is longer than this. @default 60000 */
  maxDelayMs?: number;
  /**
   * 'delay': the message waits in a broker-side delay queue (one per backoff step, no plugin),
   * so the service holds nothing meanwhile. 'requeue': it goes straight back to the end of its
   * queue, still counted and bounded by `attempts`. @default 'delay'
   */
  mode?: 'delay' | 'requeue';
}

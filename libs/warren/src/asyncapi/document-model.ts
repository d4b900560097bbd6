import type { AsyncApiChannel, AsyncApiMessage, AsyncApiOperation } from './asyncapi.types';
import { KeyAllocator, sortedRecord } from './document-ids';

/**
 * Channels, messages and operations are collected under subjects (what they are on the broker:
 * `exchange|key`, `queue|name`…) and get their document keys only when rendered, so that the same
 * exchange and routing key is one channel whoever sends or receives on it, and keys are stable.
 */
export interface ChannelSpec {
  subject: string;
  /** The readable key it would like. */
  key: string;
  channel: Omit<AsyncApiChannel, 'messages'>;
}

export interface MessageSpec {
  subject: string;
  key: string;
  message: AsyncApiMessage;
}

export interface OperationSpec {
  subject: string;
  key: string;
  channel: string;
  messages: string[];
  operation: Omit<AsyncApiOperation, 'channel' | 'messages' | 'reply'>;
  reply?: { channel: string; messages: string[]; address: { location: string; description?: string } };
}

export interface RenderedModel {
  channels: Record<string, AsyncApiChannel>;
  operations: Record<string, AsyncApiOperation>;
  messages: Record<string, AsyncApiMessage>;
}

export class DocumentModel {
  private readonly channels = new Map<string, ChannelSpec & { messages: Set<string> }>();
  private readonly messages = new Map<string, MessageSpec>();
  private readonly operations = new Map<string, OperationSpec>();

  /** Adds a channel (the first description of a subject wins) and returns its subject. */
  channel(spec: ChannelSpec): string {
    if (!this.channels.has(spec.subject)) this.channels.set(spec.subject, { ...spec, messages: new Set() });
    return spec.subject;
  }

  message(spec: MessageSpec): string {
    if (!this.messages.has(spec.subject)) this.messages.set(spec.subject, spec);
    return spec.subject;
  }

  /** Lists messages on a channel that no operation of this document names (dead-letter queues). */
  carry(channel: string, messages: string[]): void {
    const target = this.channels.get(channel);
    if (!target) throw new Error(`Unknown channel '${channel}'`);
    for (const message of messages) target.messages.add(message);
  }

  /** Adds an operation; two with one subject (a handler registered twice) get distinct subjects. */
  operation(spec: OperationSpec): void {
    let subject = spec.subject;
    for (let n = 2; this.operations.has(subject); n++) subject = `${spec.subject}#${n}`;
    this.operations.set(subject, { ...spec, subject });
    this.carry(spec.channel, spec.messages);
    if (spec.reply) this.carry(spec.reply.channel, spec.reply.messages);
  }

  render(): RenderedModel {
    const channelKeys = new KeyAllocator([...this.channels.values()]);
    const messageKeys = new KeyAllocator([...this.messages.values()]);
    const operationKeys = new KeyAllocator([...this.operations.values()]);
    const channelRef = (subject: string) => ({ $ref: `#/channels/${channelKeys.keyFor(subject)}` });
    const messageRef = (channel: string, message: string) => ({ $ref: `#/channels/${channelKeys.keyFor(channel)}/messages/${messageKeys.keyFor(message)}` });
    const channels = sortedRecord(
      [...this.channels.values()].map((spec): [string, AsyncApiChannel] => {
        const carried = [...spec.messages].map((m): [string, { $ref: string }] => [messageKeys.keyFor(m), { $ref: `#/components/messages/${messageKeys.keyFor(m)}` }]);
        return [channelKeys.keyFor(spec.subject), { ...spec.channel, messages: sortedRecord(carried) }];
      }),
    );
    const operations = sortedRecord(
      [...this.operations.values()].map((spec): [string, AsyncApiOperation] => {
        const operation: AsyncApiOperation = {
          ...spec.operation,
          channel: channelRef(spec.channel),
          messages: spec.messages.map((m) => messageRef(spec.channel, m)),
        };
        if (spec.reply) {
          const { channel, messages, address } = spec.reply;
          operation.reply = { address, channel: channelRef(channel), messages: messages.map((m) => messageRef(channel, m)) };
        }
        return [operationKeys.keyFor(spec.subject), operation];
      }),
    );
    const messages = sortedRecord([...this.messages.values()].map((spec): [string, AsyncApiMessage] => [messageKeys.keyFor(spec.subject), spec.message]));
    return { channels, operations, messages };
  }
}

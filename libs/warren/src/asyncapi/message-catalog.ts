import { JSON_CONTENT_TYPE } from '../warren.constants';
import type { AsyncApiMessage, JsonSchema } from './asyncapi.types';
import type { DocumentModel } from './document-model';
import { keyOf } from './document-ids';
import { SchemaCatalog } from './payload-schemas';
import { CORRELATION_ID, DELIVERY_HEADERS, RPC_ERROR_HEADERS, RPC_ERROR_PAYLOAD, RPC_REQUEST_HEADERS } from './warren-headers';

/** An event (subscribe, publish), an RPC request, or an RPC reply. */
export type MessageRole = 'event' | 'request' | 'reply';

const SUFFIX: Record<MessageRole, string> = { event: '', request: '_request', reply: '_reply' };
const UNTYPED: Record<MessageRole, { name: string; description: string }> = {
  event: { name: 'AnyEvent', description: 'Any JSON value, text or bytes: no DTO or schema describes it' },
  request: { name: 'AnyRequest', description: 'Any JSON value, text or bytes: no DTO or schema describes it' },
  reply: { name: 'AnyReply', description: "The handler's return value: JSON for objects, text for strings, bytes for Buffers" },
};

/** The messages of one document, each payload from a DTO class, a Standard Schema, or nothing. */
export class MessageCatalog {
  readonly schemas = new SchemaCatalog();
  constructor(private readonly model: DocumentModel) {}

  /**
   * The message carrying `source`'s payload in this role (its subject in the model). A DTO's
   * message is shared by every operation that uses it; a Standard Schema's belongs to `owner`.
   */
  payload(role: MessageRole, source: unknown, owner: string): string {
    const schema = this.schemas.schemaOf(source);
    if (!schema) return this.untyped(role);
    const dtoName = this.schemas.nameOf(source);
    const name = dtoName ?? `${keyOf(owner)}_payload`;
    return this.add(`${role}|${dtoName ? `dto:${dtoName}` : `schema:${owner}`}`, `${name}${SUFFIX[role]}`, role, {
      name,
      payload: schema,
      ...(dtoName ? {} : { description: `The payload ${owner} takes, from its Standard Schema` }),
    });
  }

  /** A message whose payload schema the caller builds (component calls). */
  custom(role: MessageRole, subject: string, name: string, payload: JsonSchema, description?: string): string {
    return this.add(`${role}|custom:${subject}`, `${name}${SUFFIX[role]}`, role, { name, payload, ...(description ? { description } : {}) });
  }

  /** The error reply every RPC handler may send (`RemoteError` on the caller's side). */
  errorReply(): string {
    return this.model.message({
      subject: 'reply|warren-error',
      key: 'WarrenRpcError',
      message: {
        name: 'WarrenRpcError',
        title: 'Error reply',
        description: 'Sent instead of a result when the handler threw or the request failed validation',
        contentType: JSON_CONTENT_TYPE,
        payload: this.schemas.define('WarrenRpcErrorPayload', RPC_ERROR_PAYLOAD),
        headers: this.schemas.define('WarrenRpcErrorHeaders', RPC_ERROR_HEADERS),
        correlationId: CORRELATION_ID,
      },
    });
  }

  private untyped(role: MessageRole): string {
    const { name, description } = UNTYPED[role];
    return this.add(`${role}|untyped`, name, role, { name, description, payload: { description } }, false);
  }

  private add(subject: string, key: string, role: MessageRole, message: Omit<AsyncApiMessage, 'contentType'>, json = true): string {
    const full: AsyncApiMessage = { ...message, ...(json ? { contentType: JSON_CONTENT_TYPE } : {}) };
    if (role === 'event') full.headers = this.schemas.define('WarrenDeliveryHeaders', DELIVERY_HEADERS);
    if (role === 'request') full.headers = this.schemas.define('WarrenRpcRequestHeaders', RPC_REQUEST_HEADERS);
    if (role !== 'event') full.correlationId = CORRELATION_ID;
    return this.model.message({ subject, key: keyOf(key), message: full });
  }
}

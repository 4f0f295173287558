/** Stable error codes the doors map to chat text and HTTP status. */
export const ERROR_STATUS = {
  CUSTOMER_NOT_FOUND: 404,
  CODE_TAKEN: 409,
  CODE_FORMAT: 422,
  CODE_LOCKED: 409,
  CUSTOMER_INACTIVE: 409,
  CUSTOMER_DELETED: 409,
  CUSTOMER_MERGED: 409,
  DELETE_BLOCKED: 409,
  NOT_PERMITTED: 403,
  SELF_APPROVAL: 403,
  APPROVAL_NOT_FOUND: 404,
  APPROVAL_EXPIRED: 409,
  ALREADY_DECIDED: 409,
  STALE_VERSION: 409,
  VALIDATION: 422,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNAVAILABLE: 503,
  // HTTP API (api/): the same one mapping, for what only a protocol door can get wrong.
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  METHOD_NOT_ALLOWED: 405,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_OUTCOME_UNKNOWN: 409,
  PRECONDITION_REQUIRED: 428,
  RATE_LIMITED: 429,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A refusal the user can act on: a stable code, a Chinese message with the fix, and details. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }

  /** The HTTP status a door should answer with. */
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A field-level validation problem, in Chinese. */
export interface FieldError {
  field: string;
  message: string;
}

/** A VALIDATION error listing every bad field. */
export function validationError(errors: FieldError[]): DomainError {
  // The messages name their field in Chinese already; the English key stays in details.
  const text = errors.map((e) => e.message).join('; ');
  return new DomainError('VALIDATION', `输入有误 — ${text}`, { errors });
}

export function isDomainError(err: unknown): err is DomainError {
  return err instanceof DomainError;
}

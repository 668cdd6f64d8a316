import type { ErrorCode, ErrorParams } from './error-codes';

export type { ErrorCode, ErrorParams } from './error-codes';

/**
 * The one error shape every API answers with, and the typed errors that map onto it.
 * Pure: used by the server (to throw) and by the renderer and the reference client (to read).
 */
export interface ApiErrorBody {
  error: {
    /** Specific machine-readable code from the catalogue in error-codes.ts, e.g. `package_exists`. */
    code: string;
    /** The values a translated sentence of this code needs (ids, names, ranges, the field). */
    params: Record<string, string | number>;
    /** English sentence for logs and scripts; never contains a secret. Clients translate `code`. */
    message: string;
    /** Dotted path of the offending field, when one field is to blame. */
    field?: string;
    /** Refusal reason for access decisions (`expired`, `ip_denied`, ...). */
    reason?: string;
    /** Extra machine-readable details (e.g. `lockedUntil`). */
    details?: Record<string, unknown>;
  };
}

interface ErrorExtra {
  field?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly status: number,
    readonly code: C,
    readonly params: ErrorParams<C>,
    message: string,
    readonly extra: ErrorExtra = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, params: this.params, message: this.message, ...this.extra } };
  }
}

const withField = (field: string | undefined): ErrorExtra => (field === undefined ? {} : { field });
const withReason = (reason: string | undefined): ErrorExtra => (reason === undefined ? {} : { reason });

/** Input the API refuses (400); the field it names is also in `params.field`, as for schema errors. */
export class ValidationError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, field?: string) {
    super(400, code, field === undefined ? params : { field, ...params }, message, withField(field));
  }
}

export class UnauthorizedError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, reason?: string) {
    super(401, code, params, message, withReason(reason));
  }
}

export class ForbiddenError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, reason?: string) {
    super(403, code, params, message, withReason(reason));
  }
}

export class NotFoundError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string) {
    super(404, code, params, message);
  }
}

export class ConflictError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, field?: string) {
    super(409, code, params, message, withField(field));
  }
}

export class PayloadTooLargeError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, field?: string) {
    super(413, code, params, message, withField(field));
  }
}

export class RateLimitError<C extends ErrorCode> extends ApiError<C> {
  constructor(code: C, params: ErrorParams<C>, message: string, details?: Record<string, unknown>) {
    super(429, code, params, message, details === undefined ? {} : { details });
  }
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'error' in value &&
    typeof (value as ApiErrorBody).error?.code === 'string'
  );
}

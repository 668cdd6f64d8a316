/**
 * The one error shape every API answers with, and the typed errors that map onto it.
 * Pure: used by the server (to throw) and by the renderer and the reference client (to read).
 */
export interface ApiErrorBody {
  error: {
    /** Machine-readable code, e.g. `validation`, `not_found`, `conflict`. */
    code: string;
    /** Human-readable sentence; never contains a secret. */
    message: string;
    /** Dotted path of the offending field, when one field is to blame. */
    field?: string;
    /** Refusal reason for access decisions (`expired`, `ip_denied`, ...). */
    reason?: string;
    /** Extra machine-readable details (e.g. `lockedUntil`). */
    details?: Record<string, unknown>;
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { field?: string; reason?: string; details?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...this.extra } };
  }
}

export class ValidationError extends ApiError {
  constructor(message: string, field?: string) {
    super(400, 'validation', message, field === undefined ? {} : { field });
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Sign-in required', reason?: string) {
    super(401, 'unauthorized', message, reason === undefined ? {} : { reason });
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'Not allowed', reason?: string) {
    super(403, 'forbidden', message, reason === undefined ? {} : { reason });
  }
}

export class NotFoundError extends ApiError {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends ApiError {
  constructor(message: string, field?: string) {
    super(409, 'conflict', message, field === undefined ? {} : { field });
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message: string, field?: string) {
    super(413, 'too_large', message, field === undefined ? {} : { field });
  }
}

export class RateLimitError extends ApiError {
  constructor(message = 'Too many requests', details?: Record<string, unknown>) {
    super(429, 'rate_limited', message, details === undefined ? {} : { details });
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

import dayjs from 'dayjs';
import type { z } from 'zod';
import { isErrorCode } from '../../../../src-shared/error-codes';
import { issueError } from '../../../../src-shared/zod-issue-errors';
import { ApiRequestError } from '../api/client';
import { i18n } from './i18n';

/** Anything the CAS reports by code: an API error body, a CSV row or file problem. */
export interface CodedProblem {
  code: string;
  params?: Record<string, string | number>;
}

/** Params whose values are words or dates themselves, shown in the operator's language and format. */
function localizedParams(params: Record<string, string | number>): Record<string, string | number> {
  const out = { ...params };
  const { reason, list, lockedUntil, expiredAt } = params;
  if (typeof reason === 'string' && i18n.exists(`reasons.${reason}`)) out.reason = i18n.t(`reasons.${reason}` as 'reasons.ip_denied');
  if (list === 'allow' || list === 'deny') out.list = i18n.t(`ipLists.${list}`);
  for (const [name, value] of Object.entries({ lockedUntil, expiredAt })) {
    if (typeof value === 'string') out[name] = dayjs(value).format('L LT');
  }
  return out;
}

/** The sentence for a coded problem in the chosen language; a code this dashboard does not know says so. */
export function problemText(problem: CodedProblem): string {
  if (!isErrorCode(problem.code)) return i18n.t('errors.unknownCode', { code: problem.code });
  return i18n.t(`errorCodes.${problem.code}`, localizedParams(problem.params ?? {}));
}

/** The text to show for any error: an API error from its code and params, else a generic one. */
export function errorText(error: unknown): string {
  if (error instanceof ApiRequestError) {
    if (error.code === 'network') return i18n.t('errors.network');
    if (error.code === 'http') return i18n.t('errors.http', { status: error.status });
    return problemText(error.body);
  }
  return i18n.t('errors.unexpected');
}

/** A zod issue of the shared schemas (checked in the dashboard) in the same words as the server's. */
export function issueText(issue: z.core.$ZodIssue): string {
  return problemText(issueError(issue));
}

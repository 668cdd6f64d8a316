import dayjs from 'dayjs';
import type { AccessStep } from '../../../../src-shared/schemas/access';
import { overLimitPolicies } from '../../../../src-shared/schemas/access-settings';
import { i18n } from '../../shared/i18n/i18n';

/** A step of an access explanation in the chosen language: its code's sentence, dates in the app's format, empty lists as "none". */
export function explainStepText(step: Pick<AccessStep, 'code' | 'params'>): string {
  const params: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(step.params)) params[name] = value === '' ? i18n.t('sessions.explainNone') : value;
  if (typeof step.params.date === 'string') params.date = dayjs(step.params.date).format('L LTS');
  const policy = overLimitPolicies.find((p) => p === step.params.policy);
  if (policy) params.policy = i18n.t(`settingsOptions.overLimitPolicy.${policy}`);
  return i18n.t(`explainSteps.${step.code}`, params);
}
